using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.DataProtection;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.DataProtection;

/// <summary>
/// The cloud API's Data Protection key ring is kept in the data root, wrapped with the server secret: a form rendered
/// before a restart, or by another replica of the app, still posts.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class KeyRingTests : IAsyncLifetime
{
    // Every replica mounts the same data root; it outlives each of them.
    private readonly TestDirectory _dataRoot = new("peregrine-shared-root");
    private readonly PeregrineApiFactory _first = new();
    private readonly PeregrineApiFactory _second = new();
    private readonly string _user = Guid.NewGuid().ToString();

    public Task InitializeAsync()
    {
        _first.Configure("CLOUD_DATA_ROOT", _dataRoot.Path);
        _second.Configure("CLOUD_DATA_ROOT", _dataRoot.Path);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        _dataRoot.Dispose();
    }

    [Fact]
    public async Task TheKeyRingIsInTheDataRootAndHoldsNoPlaintextKey()
    {
        using var client = _first.CreateClient(_user);
        await PageForm.RenderAsync(client, "/peregrine/");

        var directory = Path.Combine(_dataRoot.Path, ".data-protection");
        var files = Directory.GetFiles(directory, "*.xml");
        Assert.NotEmpty(files);
        var currentId = ServerKeyRing.IdOf(PeregrineApiFactory.ServerSecret);
        Assert.All(files, file =>
        {
            var text = File.ReadAllText(file);
            Assert.Contains($"keyId=\"{currentId}\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain("masterKey", text, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        });
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
    }

    /// <summary>DATA_PROTECTION_KEYS_DIR is the one setting the apps and the disaster-recovery verbs read the ring from.</summary>
    [Fact]
    public async Task TheRingIsKeptWhereDataProtectionKeysDirSays()
    {
        using var elsewhere = new TestDirectory("peregrine-key-ring");
        await using var api = new PeregrineApiFactory()
            .Configure("CLOUD_DATA_ROOT", _dataRoot.Path)
            .Configure("DATA_PROTECTION_KEYS_DIR", elsewhere.Path);
        using var client = api.CreateClient(_user);

        await PageForm.RenderAsync(client, "/peregrine/");

        Assert.NotEmpty(Directory.GetFiles(elsewhere.Path, "*.xml"));
        Assert.False(Directory.Exists(Path.Combine(_dataRoot.Path, ".data-protection")));
    }

    [Fact]
    public async Task AFormRenderedByOneReplicaPostsToAnother()
    {
        using var first = _first.CreateClient(_user);
        var form = await PageForm.RenderAsync(first, "/peregrine/");

        using var second = _second.CreateAnonymousClient();
        using var response = await form.PostAsync(second, $"cf_session={TestTokens.Session(_user)}", ("_handler", "add-urls"), ("Urls", "https://jobs.invalid/1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("1 new job(s) added", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var reader = _second.CreateClient(_user);
        Assert.Equal(1, (await reader.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task AFormRenderedBeforeARestartStillPosts()
    {
        PageForm form;
        using (var client = _first.CreateClient(_user))
        {
            form = await PageForm.RenderAsync(client, "/peregrine/");
        }

        await _first.DisposeAsync();
        await using var restarted = new PeregrineApiFactory().Configure("CLOUD_DATA_ROOT", _dataRoot.Path);
        using var anonymous = restarted.CreateAnonymousClient();
        using var response = await form.PostAsync(anonymous, $"cf_session={TestTokens.Session(_user)}", ("_handler", "add-urls"), ("Urls", "https://jobs.invalid/2"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AReplicaWithAnotherServerSecretCannotReadTheRing()
    {
        using var first = _first.CreateClient(_user);
        var form = await PageForm.RenderAsync(first, "/peregrine/");
        await using var stranger = new PeregrineApiFactory()
            .Configure("CLOUD_DATA_ROOT", _dataRoot.Path)
            .Configure("CF_SERVER_SECRET", "a-different-server-secret-entirely");

        using var anonymous = stranger.CreateAnonymousClient();
        using var response = await form.PostAsync(anonymous, $"cf_session={TestTokens.Session(_user)}", ("_handler", "add-urls"), ("Urls", "https://jobs.invalid/3"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
