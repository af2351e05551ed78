using System.Net;
using System.Net.Http.Json;
using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Platform;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Interviews;

/// <summary>
/// Call notes of the prep page live in the user's own encrypted DB (a numbered migration), per job: a backup carries
/// them, a restore brings them back, and erasing the account removes them with everything else.
/// </summary>
[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class InterviewNotesTests(PostgresFixture postgres)
{
    private const string Notes = "Spoke to Sam (engineering manager).\nAsked about on-call; follow up on the rota.";

    [Fact]
    public async Task NotesAreSavedPerJobInTheOwnersEncryptedDatabaseAndNoOneElseCanReadThem()
    {
        await using var api = new PeregrineApiFactory();
        var owner = Guid.NewGuid().ToString();
        using var client = api.CreateClient(owner);
        using var stranger = api.CreateClient(Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");

        var empty = await (await client.GetAsync($"/peregrine/api/jobs/{job}/notes")).JsonAsync();
        using var saved = await client.PutAsJsonAsync($"/peregrine/api/jobs/{job}/notes", new { notes = Notes.Replace("\n", "\r\n", StringComparison.Ordinal) + "\n\n" });
        var read = await (await client.GetAsync($"/peregrine/api/jobs/{job}/notes")).JsonAsync();

        Assert.Equal("", empty.GetProperty("notes").GetString());
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(Notes, read.GetProperty("notes").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", read.GetProperty("updated_at").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/peregrine/api/jobs/{job}/notes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PutAsJsonAsync($"/peregrine/api/jobs/{job}/notes", new { notes = "mine now" })).StatusCode);
        using var tooLong = await client.PutAsJsonAsync($"/peregrine/api/jobs/{job}/notes", new { notes = new string('x', 50_001) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);

        var database = api.UserDatabase(owner);
        Assert.False(HasPlainHeader(database.Path));
        await using var db = SqliteDatabase.Open(database.Path, database.Key, pooling: false);
        Assert.Equal(Notes, await db.ExecuteScalarAsync<string>("SELECT notes FROM interview_notes WHERE job_id = @job;", new { job }));
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations WHERE version = '003_interview_notes';"));
    }

    [Fact]
    public async Task NotesSurviveABackupAndARestore()
    {
        await using var api = new PeregrineApiFactory();
        using var client = api.CreateClient(Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        (await client.PutAsJsonAsync($"/peregrine/api/jobs/{job}/notes", new { notes = Notes })).EnsureSuccessStatusCode();

        var backup = await client.GetByteArrayAsync($"{BackupPath}?include_db=true");
        (await client.PutAsJsonAsync($"/peregrine/api/jobs/{job}/notes", new { notes = "written after the backup" })).EnsureSuccessStatusCode();
        using var restored = await UploadAsync(client, RestorePath, backup);

        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.DoesNotContain("interview_notes", await restored.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(Notes, (await (await client.GetAsync($"/peregrine/api/jobs/{job}/notes")).JsonAsync()).GetProperty("notes").GetString());
    }

    [Fact]
    public async Task ErasingTheAccountRemovesItsNotes()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        (await client.PutAsJsonAsync($"/peregrine/api/jobs/{job}/notes", new { notes = Notes })).EnsureSuccessStatusCode();

        using var erased = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/peregrine/api/account") { Content = JsonContent.Create(new { confirm = user }) });

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(api.DataRoot, user)));
        using var afterwards = api.CreateClientWithCookie($"cf_session={Erasure.ErasureClients.IssuedAfterNow(user)}");
        Assert.Equal(HttpStatusCode.NotFound, (await afterwards.GetAsync($"/peregrine/api/jobs/{job}/notes")).StatusCode);
        Assert.DoesNotContain(Directory.EnumerateFiles(api.DataRoot, "*", SearchOption.AllDirectories),
            file => File.ReadAllBytes(file).AsSpan().IndexOf("on-call; follow up"u8) >= 0);
    }
}
