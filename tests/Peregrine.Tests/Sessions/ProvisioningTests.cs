using System.Net;
using System.Net.Http.Json;
using Peregrine.Sessions;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sessions;

/// <summary>A valid session provisions the user's tree once, with owner-only permissions, whatever the concurrency.</summary>
[Trait(Category.Name, Category.Service)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProvisioningTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string User = "8d1c2b3a-4f5e-4a6b-8c7d-9e0f1a2b3c4d";
    private readonly PeregrineApiFactory _factory = new();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task ValidTokenThroughForwardedHeaderSignsInAndProvisionsTheTree()
    {
        using var client = _factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-CF-Session", $"theme=dark; cf_session={TestTokens.Session(User)}");

        var session = await client.GetFromJsonAsync<SessionResponse>($"/{_factory.App}/api/session", PeregrineApiFactory.Json).WaitAsync(Timeout);

        Assert.Equal(new SessionResponse(User, "peregrine", "free", IsCloud: true), session);
        AssertProvisioned(_factory.UserDirectory(User));
    }

    [Fact]
    public async Task ValidTokenThroughCookieSignsInAndProvisionsTheTree()
    {
        using var client = _factory.CreateClient(User);

        using var response = await client.GetAsync($"/{_factory.App}/api/session").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertProvisioned(_factory.UserDirectory(User));
    }

    [Fact]
    public async Task UserIdTakenFromSubWhenThereIsNoId()
    {
        using var client = _factory.CreateClientWithCookie($"cf_session={TestTokens.Sign(TestTokens.SessionClaims(User).Without("id").With("sub", User))}");

        var session = await client.GetFromJsonAsync<SessionResponse>($"/{_factory.App}/api/session", PeregrineApiFactory.Json).WaitAsync(Timeout);

        Assert.Equal(User, session!.UserId);
    }

    [Fact]
    public async Task UpperCaseUserIdGetsTheCanonicalLowerCaseTree()
    {
        using var client = _factory.CreateClient(User.ToUpperInvariant());

        var session = await client.GetFromJsonAsync<SessionResponse>($"/{_factory.App}/api/session", PeregrineApiFactory.Json).WaitAsync(Timeout);

        Assert.Equal(User, session!.UserId);
        Assert.Equal([Path.Combine(_factory.DataRoot, User)], _factory.UserTrees());
    }

    [Fact]
    public async Task SecondRequestCreatesNothingNewAndNeverOverwritesTheBootstrapFile()
    {
        using var client = _factory.CreateClient(User);
        await client.GetAsync($"/{_factory.App}/api/session").WaitAsync(Timeout);
        var keywords = Path.Combine(_factory.UserDirectory(User), "config", UserTreeProvisioner.BootstrapKeywordsFile);
        await File.WriteAllTextAsync(keywords, "skills: [csharp]\n");
        var before = Snapshot(_factory.DataRoot);

        using var second = await client.GetAsync($"/{_factory.App}/api/session").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(before, Snapshot(_factory.DataRoot));
        Assert.Equal("skills: [csharp]\n", await File.ReadAllTextAsync(keywords));
    }

    [Fact]
    public async Task ExistingBootstrapFileSurvivesAFirstLoginAfterRestart()
    {
        var config = Directory.CreateDirectory(Path.Combine(_factory.UserDirectory(User), "config"));
        var keywords = Path.Combine(config.FullName, UserTreeProvisioner.BootstrapKeywordsFile);
        await File.WriteAllTextAsync(keywords, "skills: [kept]\n");
        using var client = _factory.CreateClient(User);

        using var response = await client.GetAsync($"/{_factory.App}/api/session").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("skills: [kept]\n", await File.ReadAllTextAsync(keywords));
    }

    [Fact]
    public async Task SixteenConcurrentFirstRequestsAllSucceedWithOneTree()
    {
        using var client = _factory.CreateClient(User);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(_ => client.GetAsync($"/{_factory.App}/api/session"))).WaitAsync(Timeout);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal([Path.Combine(_factory.DataRoot, User)], _factory.UserTrees());
        AssertProvisioned(_factory.UserDirectory(User));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void AssertProvisioned(string appDirectory)
    {
        const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        // The DB runs in WAL mode, so its -wal/-shm companions sit beside it while it is pooled open.
        string[] walCompanions = ["staging.db-shm", "staging.db-wal"];
        Assert.Equal(
            ["config", "data", "staging.db", "staging.db.key-id"],
            Directory.EnumerateFileSystemEntries(appDirectory).Select(Path.GetFileName).Except(walCompanions).Order(StringComparer.Ordinal));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(appDirectory, "staging.db.key-id")));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(appDirectory, "config")));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(appDirectory, "data")));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(appDirectory));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.GetDirectoryName(appDirectory)!));
        var keywords = Path.Combine(appDirectory, "config", UserTreeProvisioner.BootstrapKeywordsFile);
        Assert.Equal("skills: []\ndomains: []\nkeywords: []\n", File.ReadAllText(keywords));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(keywords));
        foreach (var databaseFile in Directory.GetFiles(appDirectory, "staging.db*"))
        {
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(databaseFile));
        }
    }

    private static string[] Snapshot(string root) =>
    [
        .. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => $"{p} {File.GetLastWriteTimeUtc(p):O} {(File.Exists(p) ? new FileInfo(p).Length : -1)}")
            .Order(StringComparer.Ordinal),
    ];
}
