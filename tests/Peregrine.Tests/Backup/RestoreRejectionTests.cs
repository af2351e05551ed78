using System.Net;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Backup;

/// <summary>Every hostile or broken upload: 400 problem details, and the user's tree byte-for-byte as it was.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class RestoreRejectionTests : IAsyncLifetime
{
    private const long UploadLimit = 2 * 1024 * 1024;
    private const long ExpandedLimit = 8 * 1024 * 1024;

    private readonly PeregrineApiFactory _factory = new PeregrineApiFactory()
        .Configure("Backup:MaxUploadBytes", UploadLimit.ToString())
        .Configure("Backup:MaxUncompressedBytes", ExpandedLimit.ToString());

    private readonly string _user = Guid.NewGuid().ToString();
    private HttpClient _client = null!;

    public static TheoryData<string> Cases => new(Uploads.Keys);

    private static readonly Dictionary<string, Func<byte[]>> Uploads = new()
    {
        ["parent traversal"] = () => BackupZips.Create(("../../x", BackupZips.Text("owned"))),
        ["absolute path"] = () => BackupZips.Create(("/tmp/peregrine-owned", BackupZips.Text("owned"))),
        ["traversal inside config"] = () => BackupZips.Create(("config/../../x", BackupZips.Text("owned"))),
        ["backslash traversal"] = () => BackupZips.Create(("config\\..\\..\\x", BackupZips.Text("owned"))),
        ["not a zip"] = () => BackupZips.Text("this is not a zip archive at all"),
        ["random bytes as the DB"] = () => BackupZips.Create(("staging.db", System.Security.Cryptography.RandomNumberGenerator.GetBytes(64 * 1024))),
        ["truncated SQLite file"] = () =>
        {
            var database = BackupZips.UpstreamDatabase(jobs: 2000);
            return BackupZips.Create(("staging.db", database[..(database.Length / 2)]));
        },
        ["SQLite without a jobs table"] = () => BackupZips.Create(("staging.db", BackupZips.PlainDatabase("CREATE TABLE notes(body TEXT);"))),
        ["zip bomb past the total limit"] = () => BackupZips.Bomb("config/user.yaml", 3 * ExpandedLimit),
        ["zip bomb by ratio under the total limit"] = () => BackupZips.Bomb("config/user.yaml", ExpandedLimit / 2),
        ["over-size upload"] = () => BackupZips.Create(("config/user.yaml", System.Security.Cryptography.RandomNumberGenerator.GetBytes((int)UploadLimit + 1024))),
        ["two databases"] = () =>
        {
            var database = BackupZips.UpstreamDatabase(jobs: 1);
            return BackupZips.Create(("staging.db", database), ("data/staging.db", database));
        },
    };

    public async Task InitializeAsync()
    {
        _client = _factory.CreateClient(_user);
        (await _client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        SeedJobs(_factory.UserDatabase(_user), 3);
        await File.WriteAllTextAsync(Path.Combine(_factory.UserDirectory(_user), "config", "user.yaml"), "name: Before\n");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileOrBrokenUploadIsRefusedAndChangesNothing(string upload)
    {
        var before = Fingerprint(_factory.DataRoot);

        using var response = await UploadAsync(_client, RestorePath, Uploads[upload]());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(_factory.DataRoot, body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.Equal(before, Fingerprint(_factory.DataRoot));
        Assert.False(File.Exists("/tmp/peregrine-owned"));
        Assert.Equal(3, CountJobs(_factory.UserDatabase(_user)));
    }
}
