using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Backup;

/// <summary>
/// Through real Kestrel (a server process): the service's own large export restores, and an upload in flight lives
/// in the user's tree, owner-only, never in <c>TMPDIR</c>; one a kill leaves behind is swept by the next first open.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class LargeBackupTests
{
    private const int Jobs = 9_000;

    [Fact]
    public async Task A36MBExportRestoresThroughKestrel()
    {
        using var data = new TestDirectory();
        using var tmp = new TestDirectory("peregrine-tmpdir");
        var user = Guid.NewGuid().ToString();
        var database = new DatabaseLocation(user, Path.Combine(data.Path, user, "peregrine", "staging.db"), DatabaseKey.Derive(ApiServer.ServerSecret, user));
        await using var server = await ApiServer.StartAsync(data.Path, ("TMPDIR", tmp.Path));
        using var client = server.CreateClient(user);
        client.Timeout = TimeSpan.FromMinutes(3);
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        SeedDescribedJobs(database, Jobs);

        var zip = await client.GetByteArrayAsync(BackupPath);
        Assert.True(zip.Length > 36L * 1000 * 1000, $"the export is {zip.Length} bytes; it must exceed Kestrel's 30 MB default");
        SeedJobs(database, 5, "https://after.example/");

        using var restore = await UploadAsync(client, RestorePath, zip);

        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal(Jobs, CountJobs(database));
        Assert.Empty(Directory.GetFiles(tmp.Path, "ASPNETCORE_*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AnUploadInFlightIsStagedOwnerOnlyInTheUsersTreeAndSweptAfterAKill()
    {
        using var data = new TestDirectory();
        using var tmp = new TestDirectory("peregrine-tmpdir");
        var user = Guid.NewGuid().ToString();
        var tree = Path.Combine(data.Path, user, "peregrine");
        var server = await ApiServer.StartAsync(data.Path, ("TMPDIR", tmp.Path));
        try
        {
            using var client = server.CreateClient(user);
            (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();

            var body = new StalledBody(RandomNumberGenerator.GetBytes(4 * 1024 * 1024));
            using var form = new MultipartFormDataContent();
            var file = new StreamContent(body);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            form.Add(file, "file", "backup.zip");
            var upload = client.PostAsync(RestorePath, form);
            await body.AllSent.WaitAsync(TimeSpan.FromSeconds(30));

            var staged = await Eventually.UntilAsync(() => Directory.GetFiles(tree, "staging.db.tmp-*").SingleOrDefault(f => new FileInfo(f).Length > 0), TimeSpan.FromSeconds(30));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(staged));
            Assert.Empty(Directory.GetFiles(tmp.Path, "ASPNETCORE_*", SearchOption.AllDirectories));

            await server.DisposeAsync(); // SIGKILL while the upload is staged
            await Assert.ThrowsAnyAsync<Exception>(() => upload.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.True(File.Exists(staged));

            server = await ApiServer.StartAsync(data.Path, ("TMPDIR", tmp.Path));
            using var next = server.CreateClient(user);
            (await next.GetAsync("/peregrine/api/jobs/counts")).EnsureSuccessStatusCode(); // the first open of the DB
            Assert.False(File.Exists(staged), "the first open after the restart sweeps the staged upload");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Jobs with scraped-size descriptions (random text, so the zip stays large).</summary>
    private static void SeedDescribedJobs(DatabaseLocation database, int count)
    {
        using var connection = SqliteDatabase.Open(database.Path, database.Key, pooling: false);
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO jobs (title, company, url, status, description, date_found) VALUES ($title, 'Acme', $url, 'pending', $description, '2026-11-29');";
        var title = insert.Parameters.Add("$title", SqliteType.Text);
        var url = insert.Parameters.Add("$url", SqliteType.Text);
        var description = insert.Parameters.Add("$description", SqliteType.Text);
        for (var i = 0; i < count; i++)
        {
            title.Value = $"Engineer {i}";
            url.Value = $"https://jobs.example/{i}";
            description.Value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(4500));
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Sends its bytes, then never ends: an upload the server is still receiving.</summary>
    private sealed class StalledBody(byte[] content) : Stream
    {
        private readonly TaskCompletionSource _allSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public Task AllSent => _allSent.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < content.Length)
            {
                var count = Math.Min(buffer.Length, content.Length - _position);
                content.AsMemory(_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }

            _allSent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
