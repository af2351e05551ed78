using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Security;
using Peregrine.Yaml;

namespace Peregrine.Tests.Settings;

[Trait(Category.Name, Category.Unit)]
public sealed class GuardedYamlTests
{
    public static TheoryData<string, string> Hostile => new()
    {
        { "flow sequences 10,000 deep", HostileYamlTests.Levels(10_000) },
        { "flow mappings 10,000 deep", HostileYamlTests.Levels(10_000, '{', '}') },
        { "flow mappings with keys", "a: " + string.Concat(Enumerable.Repeat("{a: ", 5_000)) + "x" + new string('}', 5_000) },
        { "block sequences on one line", "a:\n" + string.Concat(Enumerable.Repeat("- ", 10_000)) + "x\n" },
        { "block mappings by indentation", string.Concat(Enumerable.Range(0, 65).Select(i => new string(' ', i) + "a:\n")) + new string(' ', 65) + "x\n" },
        { "the alias bomb", HostileYamlTests.AliasBomb },
        { "one anchor", "a: &x 1\n" },
        { "a merge key", "base: {a: 1}\nb:\n  <<: *base\n" },
        { "a language tag", "a: !!python/object/apply:os.system [echo owned]\n" },
        { "a local tag", "a: !include /etc/passwd\n" },
        { "a binary tag", "a: !!binary aGVsbG8=\n" },
        { "two documents", "a: 1\n---\nb: 2\n" },
        { "an unclosed flow sequence", "profiles: [" },
        { "a bad indentation", "a:\n  - b\n c: d\n" },
        { "over the size limit", "a: " + new string('x', GuardedYaml.MaxBytes) },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileOrBrokenTextIsRefusedWithAReasonAPersonCanRead(string what, string yaml)
    {
        var problem = GuardedYaml.Problem(yaml);

        Assert.True(problem is not null, what);
        Assert.DoesNotContain("Exception", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("YamlDotNet", problem, StringComparison.Ordinal);
        Assert.Throws<InvalidYamlException>(() => GuardedYaml.DeserializeMapping(yaml, "x.yaml"));
        Assert.Throws<InvalidYamlException>(() => GuardedYaml.Load(yaml, "x.yaml"));
    }

    [Theory]
    [InlineData("profiles: [", "line 2: while parsing a node, did not find expected node content")]
    [InlineData("a: 1\nb: &x 2\n", "line 2: anchors and aliases are not supported")]
    [InlineData("a:\n  b: *x\n", "line 2: anchors and aliases are not supported")]
    [InlineData("a: !!python/object:os.system x\n", "line 1: tags such as tag:yaml.org,2002:python/object:os.system are not supported")]
    public void TheReasonNamesTheLine(string yaml, string expected) => Assert.StartsWith(expected, GuardedYaml.Problem(yaml));

    [Fact]
    public void SixtyFourLevelsAreReadAndSixtyFiveAreNot()
    {
        string Nested(int depth) => "a: " + new string('[', depth - 1) + "x" + new string(']', depth - 1) + "\n";

        Assert.Null(GuardedYaml.Problem(Nested(GuardedYaml.MaxDepth)));
        Assert.NotNull(GuardedYaml.DeserializeMapping(Nested(GuardedYaml.MaxDepth), "x.yaml")["a"]);
        Assert.Equal("line 1: nests more than 64 levels deep", GuardedYaml.Problem(Nested(GuardedYaml.MaxDepth + 1)));
    }

    [Fact]
    public void TheCheckUsesNoCallStackPerLevel()
    {
        // As deep as fits in the size limit, on a thread with a small stack: the document model overflows such a stack.
        var deepest = HostileYamlTests.Levels((GuardedYaml.MaxBytes / 2) - 10);
        string? problem = null;
        var thread = new Thread(() => problem = GuardedYaml.Problem(deepest.Replace("profiles: ", string.Empty, StringComparison.Ordinal)), maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.Equal("line 1: nests more than 64 levels deep", problem);
    }

    [Fact]
    public void OrdinaryYamlWithYamlsOwnTagsIsRead()
    {
        var map = GuardedYaml.DeserializeMapping("name: Ada\nport: !!int 8080\nitems: [a, b]\nnested: {x: {y: z}}\n", "x.yaml");

        Assert.Equal("Ada", map["name"]);
        Assert.Equal("8080", map["port"]?.ToString());
        Assert.Equal(["a", "b"], Assert.IsType<List<object?>>(map["items"]));
        Assert.Empty(GuardedYaml.DeserializeMapping(string.Empty, "x.yaml"));
    }

    [Theory]
    [InlineData("- a\n- b\n")]
    [InlineData("just text\n")]
    public void ATopLevelThatIsNotAMappingIsRefused(string yaml) =>
        Assert.Equal("x.yaml must be a YAML mapping (key: value lines)", Assert.Throws<InvalidYamlException>(() => GuardedYaml.DeserializeMapping(yaml, "x.yaml")).Message);

    [Fact]
    public void AFileOverTheLimitIsRefusedBeforeItIsRead()
    {
        using var directory = new TestDirectory();
        var path = directory.Combine("huge.yaml");
        using (var file = File.Create(path))
        {
            file.SetLength(4L * 1024 * 1024 * 1024);
        }

        var refused = Assert.Throws<InvalidYamlException>(() => GuardedYaml.ReadFile(path, "config/user.yaml"));

        Assert.Equal("config/user.yaml is larger than 256 KB", refused.Message);
    }

    [Fact]
    public void WhatIsWrittenPassesTheSameCheck()
    {
        object Nested(int depth) => depth == 0 ? "x" : new List<object?> { Nested(depth - 1) };

        var text = GuardedYaml.Serialize(new Dictionary<string, object?> { ["a"] = Nested(GuardedYaml.MaxDepth - 1) }, "x.yaml");
        Assert.Null(GuardedYaml.Problem(text));
        Assert.Throws<InvalidYamlException>(() => GuardedYaml.Serialize(new Dictionary<string, object?> { ["a"] = Nested(200) }, "x.yaml"));
        Assert.Throws<InvalidYamlException>(() => GuardedYaml.Serialize(new Dictionary<string, object?> { ["a"] = new string('x', GuardedYaml.MaxBytes) }, "x.yaml"));
    }

    [Fact]
    public void EveryReaderOfAUsersConfigGoesThroughTheGuard()
    {
        using var directory = new TestDirectory();
        var user = new Peregrine.Sessions.UserContext
        {
            UserId = "u",
            App = "peregrine",
            AppDirectory = directory.Path,
            Database = new Peregrine.Storage.DatabaseLocation("u", directory.Combine("staging.db"), Key: null),
            IsCloud = false,
        };
        Directory.CreateDirectory(user.ConfigDirectory);
        var deep = HostileYamlTests.Levels(10_000);
        foreach (var file in new[] { "user.yaml", "plain_text_resume.yaml", "search_profiles.yaml", "blocklist.yaml", "resume_keywords.yaml" })
        {
            File.WriteAllText(Path.Combine(user.ConfigDirectory, file), file == "search_profiles.yaml" ? HostileYamlTests.AliasBomb : deep);
        }

        Assert.Equal(string.Empty, Peregrine.Ai.CandidateProfile.Load(user).Resume);
        Assert.False(Peregrine.Settings.UserConfigFiles.TryRead(user, "user.yaml", out _));
        Assert.Contains("anchors and aliases", Assert.Throws<Peregrine.Discovery.SearchProfilesException>(() => Peregrine.Discovery.SearchProfiles.Load(user.ConfigDirectory)).Message);
        Assert.Contains("64 levels", Assert.Throws<Peregrine.Discovery.SearchProfilesException>(() => Peregrine.Discovery.DiscoveryConfig.LoadBlocklist(user.ConfigDirectory)).Message);
        Assert.Contains("64 levels", Assert.Throws<Peregrine.Discovery.SearchProfilesException>(() => Peregrine.Discovery.DiscoveryConfig.LoadKeywords(user.ConfigDirectory)).Message);
        Assert.StartsWith("llm.yaml line", Assert.Throws<InvalidDataException>(() => Peregrine.Llm.LlmConfig.Parse(HostileYamlTests.AliasBomb)).Message);
    }
}
