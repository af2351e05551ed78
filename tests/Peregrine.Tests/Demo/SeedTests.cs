using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Peregrine.Demo.Seed;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>The seed is synthetic, versioned, and shows every part of the product a visitor may look at.</summary>
public sealed partial class SeedTests
{
    private static readonly string[] ExampleDomains = ["example.com", "example.org", "example.net"];
    private static readonly string[] ReservedTlds = ["test", "example", "invalid", "localhost"];

    [Fact]
    [Trait(Category.Name, Category.Unit)]
    public void TheSeedHasNoRealAddresses()
    {
        Assert.Contains("config/user.yaml", SeedFiles.Names);
        foreach (var name in SeedFiles.Names)
        {
            var text = System.Text.Encoding.UTF8.GetString(SeedFiles.Read(name));
            foreach (Match email in Email().Matches(text))
            {
                Assert.True(IsReservedHost(email.Groups["host"].Value), $"{name}: e-mail {email.Value} is not at a reserved domain");
            }

            foreach (Match url in Url().Matches(text))
            {
                Assert.True(IsReservedHost(url.Groups["host"].Value), $"{name}: URL {url.Value} is not at a reserved domain");
            }

            foreach (Match phone in Phone().Matches(text))
            {
                Assert.Matches("^555-01[0-9]{2}$", phone.Value);
            }
        }
    }

    [Theory]
    [Trait(Category.Name, Category.Unit)]
    [InlineData("jobs.example.com", true)]
    [InlineData("example.org", true)]
    [InlineData("ollama.invalid", true)]
    [InlineData("circuitforge.tech", false)]
    [InlineData("example.com.evil.io", false)]
    [InlineData("notexample.com", false)]
    public void TheAddressCheckItselfTellsReservedFromReal(string host, bool reserved) =>
        Assert.Equal(reserved, IsReservedHost(host));

    [Fact]
    [Trait(Category.Name, Category.Unit)]
    public void TheSeedVersionIsAStableHashOfTheSeed() =>
        Assert.Matches("^[0-9a-f]{16}$", SeedFiles.Version());

    [Fact]
    [Trait(Category.Name, Category.Service)]
    public async Task ANewVisitorSeesCoverLettersAnInterviewPipelineAndTasks()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();

        foreach (var stage in new[] { "phone_screen", "interviewing", "offer" })
        {
            var jobs = await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/jobs?status={stage}");
            Assert.Equal(1, jobs.GetArrayLength());
        }

        var approved = await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/jobs?status=approved");
        var withLetter = approved.EnumerateArray().Where(j => j.GetProperty("has_cover_letter").GetBoolean()).ToList();
        Assert.Equal(2, withLetter.Count);
        var job = await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/jobs/{withLetter[0].GetProperty("id").GetInt64()}");
        Assert.Contains("Demo User", job.GetProperty("cover_letter").GetString(), StringComparison.Ordinal);
        var letterTask = await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/jobs/{withLetter[0].GetProperty("id").GetInt64()}/cover_letter/task");
        Assert.Contains(letterTask.GetProperty("status").GetString(), new[] { "completed", "queued" });
        var active = await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/tasks");
        Assert.Contains(active.EnumerateArray(), t => t.GetProperty("status").GetString() == "queued");

        var config = Path.Combine(demo.SandboxesDirectory, await VisitorIdAsync(visitor), "config");
        Assert.Contains("name: Demo User", await File.ReadAllTextAsync(Path.Combine(config, "user.yaml")), StringComparison.Ordinal);
        Assert.Contains("wizard_complete: true", await File.ReadAllTextAsync(Path.Combine(config, "user.yaml")), StringComparison.Ordinal);
        Assert.Contains("greenhouse:", await File.ReadAllTextAsync(Path.Combine(config, "search_profiles.yaml")), StringComparison.Ordinal);
        Assert.DoesNotContain("enabled: true", await File.ReadAllTextAsync(Path.Combine(config, "llm.yaml")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(config, "resume_keywords.yaml")));
    }

    private static bool IsReservedHost(string host)
    {
        host = host.ToLowerInvariant().TrimEnd('.');
        return ExampleDomains.Any(d => host == d || host.EndsWith("." + d, StringComparison.Ordinal))
            || ReservedTlds.Any(tld => host == tld || host.EndsWith("." + tld, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@(?<host>[A-Za-z0-9.-]+\.[A-Za-z]{2,})")]
    private static partial Regex Email();

    [GeneratedRegex(@"https?://(?<host>[A-Za-z0-9.-]+)")]
    private static partial Regex Url();

    [GeneratedRegex(@"(?<![\d-])\(?\d{3}\)?[ .-]?\d{3}-\d{4}(?!\d)|(?<![\d-])\d{3}-\d{4}(?!\d)")]
    private static partial Regex Phone();
}
