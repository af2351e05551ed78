using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Peregrine.Backup;
using Peregrine.Demo.Sandboxes;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>
/// The public demo's disk: a sandbox has a byte quota (its DB and files), all sandboxes together a budget kept by
/// removing the least recently used, and restore uploads kept between the Data page's two posts are bounded by number
/// and age, per visitor and overall.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class SandboxDiskTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>About 300 KB of text that SQLite cannot compress away.</summary>
    private static string BulkyDescription() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(225 * 1024));

    [Fact]
    public async Task ASandboxStopsAtItsQuotaWithA413AndStaysUsable()
    {
        await using var demo = new DemoFactory().Configure("Demo:MaxSandboxBytes", $"{2 * 1024 * 1024}");
        using var visitor = demo.CreateVisitor();
        var sandbox = Path.Combine(demo.SandboxesDirectory, await VisitorIdAsync(visitor));

        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            var response = await visitor.PostAsJsonAsync($"{App}/api/jobs", new { url = $"https://jobs.example.com/bulky/{i}", title = "Bulky", description = BulkyDescription() });
            if (!response.IsSuccessStatusCode)
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("2 MB", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(DirectoryBytes(sandbox), 0, 3 * 1024 * 1024);

        // Still usable: it reads, frees room, and then takes writes again.
        Assert.Equal(HttpStatusCode.OK, (await visitor.GetAsync($"{App}/api/jobs?limit=5")).StatusCode);
        (await visitor.PostAsJsonAsync($"{App}/api/jobs/purge", new { statuses = new[] { "pending" } })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await visitor.PostAsJsonAsync($"{App}/api/jobs", new { url = "https://jobs.example.com/after-purge", title = "Small" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await visitor.PostAsJsonAsync($"{App}/api/jobs", new { url = "https://jobs.example.com/bulky/again", title = "Bulky", description = BulkyDescription() })).StatusCode);
    }

    [Fact]
    public async Task ManySandboxesUnderASmallBudgetKeepTheMostRecentlyUsed()
    {
        await using var demo = new DemoFactory();
        long template;
        using (var probe = demo.CreateVisitor())
        {
            template = DirectoryBytes(Path.Combine(demo.SandboxesDirectory, await VisitorIdAsync(probe)));
        }

        await using var small = new DemoFactory()
            .Configure("Demo:MaxTotalBytes", $"{(5 * template) + (template / 2)}")
            .Configure("Demo:NewSandboxesPerMinutePerAddress", "1000");
        var visitors = Enumerable.Range(0, 12).Select(_ => small.CreateVisitor()).ToList();
        var ids = new List<string>();
        foreach (var visitor in visitors)
        {
            ids.Add(await VisitorIdAsync(visitor));
        }

        await Eventually.UntilAsync(() => Sandboxes(small).Count <= 5, Bound);
        Assert.InRange(DirectoryBytes(small.SandboxesDirectory), 0, (5 * template) + (template / 2));
        Assert.Contains(ids[^1], Sandboxes(small));
        Assert.DoesNotContain(ids[0], Sandboxes(small));

        // One sandbox growing (a recent visitor's writes) pushes the least recently used out, never the writer's own.
        var writer = visitors[^2];
        for (var i = 0; i < 3; i++)
        {
            (await writer.PostAsJsonAsync($"{App}/api/jobs", new { url = $"https://jobs.example.com/grow/{i}", title = "Grow", description = new string('x', (int)template / 2) })).EnsureSuccessStatusCode();
        }

        await Eventually.UntilAsync(() => DirectoryBytes(small.SandboxesDirectory) <= (5 * template) + (template / 2), Bound);
        Assert.Contains(ids[^2], Sandboxes(small));
        Assert.Equal(27, (await CountsAsync(writer)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task KeptRestoreUploadsAreBoundedPerVisitorOverallAndByAge()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var demo = new DemoFactory { Time = clock }
            .Configure("Backup:MaxKeptUploadsPerUser", "2")
            .Configure("Backup:MaxKeptUploads", "3")
            .Configure("Backup:KeptUploadLifetime", "00:15:00");
        var visitors = Enumerable.Range(0, 3).Select(_ => demo.CreateVisitor()).ToList();
        var users = new List<UserContext>();
        foreach (var visitor in visitors)
        {
            var id = await VisitorIdAsync(visitor);
            users.Add(demo.Services.GetRequiredService<DemoSandboxes>().Known().Single(u => u.UserId == id));
        }

        var uploads = demo.Services.GetRequiredService<RestoreUploads>();
        var first = Keep(uploads, users[0]);
        for (var i = 0; i < 4; i++)
        {
            Keep(uploads, users[0]);
        }

        Assert.Equal(2, KeptFiles(users[0]).Length);
        Assert.Null(uploads.Open(users[0], first));

        Keep(uploads, users[1]);
        Keep(uploads, users[2]);
        Assert.Equal(3, users.Sum(u => KeptFiles(u).Length));

        clock.Advance(TimeSpan.FromMinutes(16));
        await Eventually.UntilAsync(() => users.Sum(u => KeptFiles(u).Length) == 0, Bound);
    }

    private static string Keep(RestoreUploads uploads, UserContext user)
    {
        var (id, file) = uploads.Create(user);
        using (file)
        {
            file.Write(new byte[1024]);
        }

        return id;
    }

    private static string[] KeptFiles(UserContext user)
    {
        var folder = Path.Combine(user.AppDirectory, "restore-uploads");
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    private static List<string> Sandboxes(DemoFactory demo) =>
        [.. Directory.GetDirectories(demo.SandboxesDirectory).Select(directory => Path.GetFileName(directory)).Where(name => !name.StartsWith('.'))];

    private static long DirectoryBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(file => new FileInfo(file).Length);
}
