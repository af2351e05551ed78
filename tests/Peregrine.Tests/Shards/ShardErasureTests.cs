using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Shards;

/// <summary>
/// GDPR erasure in shard mode: whichever shard it is asked of (the operator's <c>erase-user</c> in any shard's
/// environment, or the user's own request through any shard), it erases the user on their home, under their grain, so
/// it never interleaves with a move of theirs. Afterwards no shard's data root holds anything of the user, the platform
/// forgets where they lived, and a new sign-in with the same id is placed afresh.
/// </summary>
[Collection(ShardCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ShardErasureTests(ShardCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task EraseUserRunAsAnotherShardErasesTheUserOnTheirHome()
    {
        var user = await UserWithJobAsync(home: "b");

        var erased = await cluster.RunOperatorAsync("a", "erase-user", user);

        Assert.True(erased.ExitCode == 0, $"erase-user: {erased.ExitCode} {erased.StandardOutput} {erased.StandardError}");
        Assert.Equal(user, JsonDocument.Parse(erased.StandardOutput).RootElement.GetProperty("user_id").GetString());
        Assert.True(JsonDocument.Parse(erased.StandardOutput).RootElement.GetProperty("files_removed").GetInt64() > 0, erased.StandardOutput);
        await AssertNothingLeftAsync(user);
    }

    [Fact]
    public async Task TheUsersOwnErasureThroughAnotherShardErasesThemOnTheirHomeAndASignInAfterIsPlacedAfresh()
    {
        var user = await UserWithJobAsync(home: "b");
        var sessionBefore = TestTokens.Session(user);
        using var before = SignedIn.To(cluster["a"].Server!.Address, sessionBefore);
        using (var response = await before.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/peregrine/api/account") { Content = JsonContent.Create(new { confirm = user }) }))
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"erasure via a: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await AssertNothingLeftAsync(user);

        // The session from before the erasure is refused on every shard, and gives the erased account no home again.
        foreach (var entry in cluster.Ids)
        {
            using var stale = SignedIn.To(cluster[entry].Server!.Address, sessionBefore);
            using var refused = await stale.GetAsync("/peregrine/api/jobs");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await AssertNothingLeftAsync(user);

        // A session issued after the erasure is a new account: placed again (a row, a tree on exactly that shard).
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        using var again = cluster.Client("c", user);
        await ShardClients.CreateJobAsync(again, "A new start");
        var home = (await cluster.HomesAsync())[user];
        Assert.Equal([home], cluster.ShardsHoldingDatabaseOf(user));
        Assert.Equal(["A new start"], await ShardClients.TitlesAsync(again));
    }

    [Theory]
    [InlineData("copied")]
    [InlineData("flipped")]
    public async Task AUserWhoseMoveWasInterruptedIsErasedFromBothShards(string step)
    {
        var user = await UserWithJobAsync(home: "a");
        var interrupted = await cluster.RunOperatorAsync("a", "move-user", user, "--to", "b", "--interrupt-after", step);
        Assert.True(interrupted.ExitCode == 1, $"interrupted move: {interrupted.StandardOutput} {interrupted.StandardError}");
        Assert.NotEmpty(FilesOf(user, "b"));

        var erased = await cluster.RunOperatorAsync("c", "erase-user", user);

        Assert.True(erased.ExitCode == 0, $"erase-user after {step}: {erased.ExitCode} {erased.StandardOutput} {erased.StandardError}");
        await AssertNothingLeftAsync(user);
    }

    [Fact]
    public async Task AnErasureAskedForWhileTheUserIsBeingMovedLeavesNoCopyOnEitherShard()
    {
        var user = await UserWithJobAsync(home: "a");
        using (var client = cluster.Client("a", user))
        {
            // Enough to make the copy take a moment, so the erasure arrives while it runs.
            for (var i = 0; i < 20; i++)
            {
                await ShardClients.CreateJobAsync(client, $"Job {i} " + new string('x', 2000));
            }
        }

        var move = cluster.RunOperatorAsync("b", "move-user", user, "--to", "c");
        var erase = cluster.RunOperatorAsync("c", "erase-user", user);
        var (moved, erased) = (await move, await erase);

        output.WriteLine($"move: {moved.ExitCode} {moved.StandardOutput.ReplaceLineEndings(" ")}; erase: {erased.ExitCode}");
        Assert.True(erased.ExitCode == 0, $"erase-user during a move: {erased.ExitCode} {erased.StandardOutput} {erased.StandardError}");
        await AssertNothingLeftAsync(user);
    }

    private async Task<string> UserWithJobAsync(string home)
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, home, entry: "c");
        using var client = cluster.Client("c", user);
        await ShardClients.CreateJobAsync(client, "Before the erasure");
        Assert.Equal([home], cluster.ShardsHoldingDatabaseOf(user));
        return user;
    }

    /// <summary>No file or folder named for the user on any shard's data root (trees, move staging, trash), and no platform row placing them.</summary>
    private async Task AssertNothingLeftAsync(string user)
    {
        var left = cluster.Ids.SelectMany(id => FilesOf(user, id)).ToList();
        Assert.True(left.Count == 0, "left behind: " + string.Join(", ", left));

        await using var connection = await cluster.Postgres.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM user_shard WHERE user_id = @user", new { user }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM user_moves WHERE user_id = @user", new { user }));
    }

    private IReadOnlyList<string> FilesOf(string user, string shard) =>
        [.. Directory.EnumerateFileSystemEntries(cluster[shard].DataRoot.Path, "*", SearchOption.AllDirectories)
            .Where(path => path.Contains(user, StringComparison.OrdinalIgnoreCase))];
}
