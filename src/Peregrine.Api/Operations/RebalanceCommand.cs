using System.CommandLine;
using System.Text.Json;
using Peregrine.Api.Shards.Moves;

namespace Peregrine.Api.Operations;

public sealed record PlannedMove(string UserId, string From, string To);

public sealed record RebalancePlan(IReadOnlyDictionary<string, int> Before, IReadOnlyList<PlannedMove> Moves, IReadOnlyDictionary<string, int> After);

public sealed record RebalanceResult(RebalancePlan Plan, IReadOnlyList<MoveReport> Reports, long PauseMsMedian, long PauseMsMax);

/// <summary>
/// <c>rebalance [--dry-run]</c>: moves users from the fullest live shards to the emptiest, one at a time, until the
/// live shards' user counts differ by at most one. Interrupted moves are finished first. Users of a shard that is down
/// are neither counted nor moved. <c>--dry-run</c> prints the plan and moves nothing.
/// </summary>
public static class RebalanceCommand
{
    public const string Name = "rebalance";

    public static OperatorVerb Verb { get; } = Build();

    /// <summary>Which users to move where; every move goes from a fullest shard to an emptiest one.</summary>
    public static RebalancePlan Plan(IReadOnlyDictionary<string, IReadOnlyList<string>> usersByLiveShard)
    {
        var counts = usersByLiveShard.ToDictionary(s => s.Key, s => s.Value.Count, StringComparer.Ordinal);
        var before = new SortedDictionary<string, int>(counts, StringComparer.Ordinal);
        var next = usersByLiveShard.ToDictionary(s => s.Key, _ => 0, StringComparer.Ordinal);
        var moves = new List<PlannedMove>();
        while (counts.Count > 1)
        {
            var fullest = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).First().Key;
            var emptiest = counts.OrderBy(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).First().Key;
            if (counts[fullest] - counts[emptiest] <= 1 || next[fullest] >= usersByLiveShard[fullest].Count)
            {
                break;
            }

            moves.Add(new PlannedMove(usersByLiveShard[fullest][next[fullest]++], fullest, emptiest));
            counts[fullest]--;
            counts[emptiest]++;
        }

        return new RebalancePlan(before, moves, new SortedDictionary<string, int>(counts, StringComparer.Ordinal));
    }

    private static OperatorVerb Build()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan; move nothing." };
        var command = new Command(Name, "Move users from the fullest live shards to the emptiest until their counts differ by at most one.") { dryRun };
        command.SetAction((parsed, cancellationToken) => OperatorHost.RunAsync(Name, app: null, (services, settings, token) =>
            MoveUserCommand.RunAsync(services, settings, shards => RebalanceAsync(shards, parsed.GetValue(dryRun), token)), cancellationToken));
        return new OperatorVerb(command, "usage: Peregrine.Api rebalance [--dry-run]");
    }

    private static async Task<int> RebalanceAsync(ShardCommands shards, bool dryRun, CancellationToken cancellationToken)
    {
        var reports = new List<MoveReport>();
        if (!dryRun)
        {
            foreach (var (user, to) in await shards.UnfinishedMovesAsync(cancellationToken))
            {
                reports.Add(await shards.MoveAsync(user, to, null, cancellationToken));
            }
        }

        var live = await shards.LiveShardsAsync(cancellationToken);
        var plan = Plan(await shards.UsersByShardAsync(live.Keys, cancellationToken));
        if (!dryRun)
        {
            foreach (var move in plan.Moves)
            {
                reports.Add(await shards.MoveAsync(move.UserId, move.To, null, cancellationToken));
            }
        }

        var pauses = reports.Where(r => r.Outcome == "moved").Select(r => r.PauseMs).Order().ToList();
        var result = new RebalanceResult(plan, reports, pauses.Count == 0 ? 0 : pauses[pauses.Count / 2], pauses.Count == 0 ? 0 : pauses[^1]);
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, EraseUserCommand.Json));
        return reports.All(r => r.Succeeded) ? OperatorCommands.Succeeded : OperatorCommands.Failed;
    }
}
