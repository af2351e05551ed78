using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sessions;

/// <summary>Each user is their own tree and key; the app slug picks the path base and the data sub-folder.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class TenancyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string UserA = "aaaaaaaa-1111-4222-8333-444444444444";
    private const string UserB = "bbbbbbbb-1111-4222-8333-444444444444";

    [Fact]
    public async Task TwoUsersGetTwoTreesAndKeysAndOneCannotOpenTheOthersDatabase()
    {
        await using var factory = new PeregrineApiFactory();
        using var clientA = factory.CreateClient(UserA);
        using var clientB = factory.CreateClient(UserB);

        Assert.Equal(UserA, (await clientA.GetFromJsonAsync<SessionResponse>("/peregrine/api/session", PeregrineApiFactory.Json).WaitAsync(Timeout))!.UserId);
        Assert.Equal(UserB, (await clientB.GetFromJsonAsync<SessionResponse>("/peregrine/api/session", PeregrineApiFactory.Json).WaitAsync(Timeout))!.UserId);

        Assert.Equal(
            [Path.Combine(factory.DataRoot, UserA), Path.Combine(factory.DataRoot, UserB)],
            factory.UserTrees());
        var a = factory.UserDatabase(UserA);
        var b = factory.UserDatabase(UserB);
        Assert.False(a.Key!.SameAs(b.Key!));

        var databases = new UserDatabases();
        using (var connection = databases.Open(a))
        using (var write = connection.CreateCommand())
        {
            write.CommandText = "CREATE TABLE note (text TEXT); INSERT INTO note VALUES ('only for A');";
            write.ExecuteNonQuery();
        }

        databases.Evict(a);
        var header = new byte[16];
        await using (var file = File.OpenRead(a.Path))
        {
            await file.ReadExactlyAsync(header);
        }

        Assert.NotEqual("SQLite format 3\0"u8.ToArray(), header);
        Assert.Throws<SqliteException>(() => SqliteDatabase.Open(a.Path, b.Key, pooling: false).Dispose());
        Assert.Throws<SqliteException>(() => SqliteDatabase.Open(a.Path, key: null, pooling: false).Dispose());
        using var withOwnKey = SqliteDatabase.Open(a.Path, a.Key, pooling: false);
        using var read = withOwnKey.CreateCommand();
        read.CommandText = "SELECT text FROM note;";
        Assert.Equal("only for A", read.ExecuteScalar());
    }

    [Fact]
    public async Task SecondAppIsConfigurationOnly()
    {
        await using var factory = new PeregrineApiFactory();
        factory.Configure("PEREGRINE_APP", "falcon");
        using var client = factory.CreateClient(UserA);

        var session = await client.GetFromJsonAsync<SessionResponse>("/falcon/api/session", PeregrineApiFactory.Json).WaitAsync(Timeout);
        using var peregrine = await client.GetAsync("/peregrine/api/session").WaitAsync(Timeout);

        Assert.Equal(new SessionResponse(UserA, "falcon", "free", IsCloud: true), session);
        Assert.True(File.Exists(Path.Combine(factory.DataRoot, UserA, "falcon", "staging.db")));
        Assert.False(Directory.Exists(Path.Combine(factory.DataRoot, UserA, "peregrine")));
        Assert.Equal(HttpStatusCode.NotFound, peregrine.StatusCode);
    }

    [Fact]
    public async Task SignInWallPointsAtTheAppsOwnSignInPage()
    {
        await using var factory = new PeregrineApiFactory();
        factory.Configure("PEREGRINE_APP", "falcon");
        using var client = factory.CreateAnonymousClient();

        using var response = await client.GetAsync("/falcon/api/session").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("https://circuitforge.tech/login?next=/falcon", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
