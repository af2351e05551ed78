using System.Security.Cryptography;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Shards;

/// <summary>
/// A move's source or target process killed with SIGKILL while the move is copying (a real crash, not the test seam of
/// <see cref="ShardMoveTests"/>): after the shard is restarted, running <c>move-user</c> again ends with the user on the
/// target, their data whole, and no copy left anywhere else.
/// </summary>
[Collection(ShardCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ShardMoveCrashTests(ShardCluster cluster, ITestOutputHelper output)
{
    private const string From = "a";
    private const string To = "c";
    private const string Entry = "b";

    /// <summary>Enough bytes for the copy to take a while, so the kill lands while it runs.</summary>
    private const int BallastMegabytes = 48;

    [Theory]
    [InlineData(From)]
    [InlineData(To)]
    public async Task AShardKilledWhileAMoveCopiesIsRestartedAndMoveUserFinishesTheMove(string killed)
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, From, Entry);
        using (var client = cluster.Client(Entry, user))
        {
            await ShardClients.CreateJobAsync(client, "Before the crash");
        }

        var ballast = await cluster.AddBallastAsync(From, user, BallastMegabytes);

        var move = cluster.RunOperatorAsync(Entry, "move-user", user, "--to", To);
        var stateWhenKilled = await cluster.WaitForMoveToBeginAsync(user, move);
        await cluster.KillAsync(killed);
        var interrupted = await move;
        output.WriteLine($"killed {killed} while the move was '{stateWhenKilled}'; the interrupted move-user exited {interrupted.ExitCode}: {interrupted.StandardOutput.Trim()} {interrupted.StandardError.Trim()}");

        await cluster.RestartAsync(killed);
        var resumed = await cluster.RunOperatorAsync(Entry, "move-user", user, "--to", To);
        output.WriteLine($"move-user again: {resumed.ExitCode} {resumed.StandardOutput.Trim()}");

        Assert.True(resumed.ExitCode == 0, $"move-user after the restart: {resumed.ExitCode} {resumed.StandardOutput} {resumed.StandardError}");
        Assert.Equal(To, (await cluster.HomesAsync())[user]);
        Assert.Equal([To], cluster.ShardsHoldingDatabaseOf(user));
        Assert.False(cluster.HasTree(From, user), "the source still has the user's tree");
        var moved = cluster[To].DataRoot.Combine(user, ShardCluster.App, ballast.RelativePath);
        Assert.Equal(ballast.Sha256, Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(moved))));
        using (var client = cluster.Client(From, user))
        {
            Assert.Equal(["Before the crash"], await ShardClients.TitlesAsync(client));
            await ShardClients.CreateJobAsync(client, "After the crash");
        }
    }
}
