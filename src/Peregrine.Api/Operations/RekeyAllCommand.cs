using System.CommandLine;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Api.Operations;

/// <summary>What one <c>rekey-all</c> run did; <see cref="Remaining"/> is what still holds the previous secret in use.</summary>
public sealed record RekeySummary(int Rekeyed, int AlreadyCurrent, IReadOnlyList<(string Database, string Reason)> Failures, long BytesRekeyed, TimeSpan Elapsed)
{
    public int Remaining => Failures.Count;
}

/// <summary>
/// <c>rekey-all</c>: every user DB of every app to the current server secret, one DB at a time.
/// <para>
/// How it coordinates with a running service, in another process (the service's exclusive hold is in-process only):
/// through SQLite's own locks, with nothing added to the service's request path. The engine rekeys only outside WAL mode,
/// and leaving WAL needs every other connection to the file closed; an idle pooled handle of the service keeps its shared
/// lock. So a DB the service has open is never rekeyed under it: the switch fails at once, nothing is changed, and the DB
/// is retried after the pass. By then it is current anyway, because the service (restarted with the new secret first,
/// the old one as previous) rekeys a DB itself when it first opens it, and never pools a handle at an old key. The rekey
/// is one write transaction, so a request arriving meanwhile waits on busy_timeout for one rekey, and not longer.
/// Resumable and idempotent: each DB's key record says where it is, a DB already current is only confirmed, and a
/// killed run leaves at worst one DB mid-transaction, which its rollback journal returns to the old key.
/// </para>
/// </summary>
public static class RekeyAllCommand
{
    public const string Name = "rekey-all";

    public static OperatorVerb Verb { get; } = Build();

    /// <summary>Rekeys <paramref name="databases"/>, writing one progress line per DB to <paramref name="progress"/>.</summary>
    public static async Task<RekeySummary> RunAsync(IEnumerable<UserContext> databases, TextWriter progress, int retryRounds, TimeSpan retryPause, TimeSpan pauseBetween, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var queue = databases.ToList();
        var failures = new List<(string, string)>();
        var (rekeyed, current, bytes) = (0, 0, 0L);
        for (var round = 0; queue.Count > 0; round++)
        {
            var inUse = new List<UserContext>();
            foreach (var (user, index) in queue.Select((user, index) => (user, index + 1)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = $"{user.UserId}/{user.App}";
                var outcome = RekeyOne(user.Database);
                switch (outcome)
                {
                    case KeyState.Rekeyed:
                        rekeyed++;
                        bytes += new FileInfo(user.Database.Path).Length;
                        break;
                    case KeyState.Current or KeyState.Unkeyed:
                        current++;
                        break;
                    case DatabaseInUseException when round < retryRounds:
                        inUse.Add(user);
                        break;
                    case Exception e:
                        failures.Add((name, Reason(e)));
                        break;
                    default:
                        failures.Add((name, "not at the current key, and no key id is recorded (written before key ids, or a legacy form)"));
                        break;
                }

                await progress.WriteLineAsync($"[{index}/{queue.Count}] {name}: {Describe(outcome, round < retryRounds)}");
                if (pauseBetween > TimeSpan.Zero)
                {
                    await Task.Delay(pauseBetween, cancellationToken);
                }
            }

            if (inUse.Count > 0)
            {
                await progress.WriteLineAsync($"retrying {inUse.Count} DB(s) in use (round {round + 2})");
                await Task.Delay(retryPause, cancellationToken);
            }

            queue = inUse;
        }

        return new RekeySummary(rekeyed, current, failures, bytes, clock.Elapsed);
    }

    private static object RekeyOne(DatabaseLocation location)
    {
        try
        {
            return KeyRotation.EnsureCurrent(location, wait: TimeSpan.Zero);
        }
        catch (Exception e) when (e is DatabaseInUseException or UnknownKeyIdException or InvalidDataException or SqliteException or IOException or UnauthorizedAccessException)
        {
            return e;
        }
    }

    private static string Describe(object outcome, bool willRetry) => outcome switch
    {
        KeyState.Rekeyed => "rekeyed",
        KeyState.Current => "already current",
        KeyState.Unkeyed => "not keyed (skipped)",
        DatabaseInUseException when willRetry => "in use, will retry",
        Exception e => "FAILED: " + Reason(e),
        _ => "FAILED: no key id recorded",
    };

    private static string Reason(Exception e) => e switch
    {
        DatabaseInUseException => "still in use by another process; if the service runs, was it restarted with the new CF_SERVER_SECRET first?",
        UnknownKeyIdException or InvalidDataException => e.Message,
        SqliteException sqlite => $"SQLite error {sqlite.SqliteErrorCode}",
        _ => e.GetType().Name,
    };

    private static OperatorVerb Build()
    {
        var retries = new Option<int>("--retries") { Description = "Passes over DBs found in use before they count as failed.", DefaultValueFactory = _ => 5 };
        var pause = new Option<int>("--pause-ms") { Description = "Pause between two DBs, to spread the I/O (milliseconds).", DefaultValueFactory = _ => 0 };
        var bench = new Option<bool>("--bench") { Description = "Also print the throughput (DBs/s, MB/s) of the DBs rekeyed." };
        var command = new Command(Name, "Rekey every user DB of every app under CLOUD_DATA_ROOT to CF_SERVER_SECRET, from the previous secrets in CF_SERVER_SECRET_PREVIOUS. Resumable; safe while the service runs.")
        {
            retries,
            pause,
            bench,
        };
        const string usage = "usage: Peregrine.Api rekey-all [--retries <0-100>] [--pause-ms <0-60000>] [--bench]";
        command.SetAction((parsed, cancellationToken) => parsed.GetValue(retries) is < 0 or > 100 || parsed.GetValue(pause) is < 0 or > 60_000
            ? Task.FromResult(OperatorCommands.Fail(OperatorCommands.BadUsage, $"--retries or --pause-ms is out of range; {usage}"))
            : OperatorHost.RunAsync(Name, app: null, async (_, settings, token) =>
        {
            var keys = settings.ServerKeys();
            await Console.Out.WriteLineAsync($"rekey-all: current key id {keys.CurrentId}, previous [{string.Join(", ", keys.PreviousIds)}]");
            var summary = await RunAsync(UserTrees.Databases(settings), Console.Out, parsed.GetValue(retries), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(parsed.GetValue(pause)), token);
            await Report(summary, parsed.GetValue(bench));
            return summary.Remaining == 0 ? OperatorCommands.Succeeded : OperatorCommands.Failed;
        }, cancellationToken));
        return new OperatorVerb(command, usage);
    }

    private static async Task Report(RekeySummary summary, bool bench)
    {
        foreach (var (database, reason) in summary.Failures)
        {
            await Console.Out.WriteLineAsync($"failed: {database}: {reason}");
        }

        await Console.Out.WriteLineAsync($"rekey-all: {summary.Rekeyed} rekeyed, {summary.AlreadyCurrent} already current, {summary.Failures.Count} failed; {summary.Remaining} remaining");
        if (summary.Remaining == 0)
        {
            await Console.Out.WriteLineAsync("rekey-all: every DB is at the current key; CF_SERVER_SECRET_PREVIOUS can be removed");
        }

        if (bench && summary.Elapsed > TimeSpan.Zero)
        {
            var seconds = summary.Elapsed.TotalSeconds;
            await Console.Out.WriteLineAsync(FormattableString.Invariant(
                $"bench: {summary.Rekeyed} DBs, {summary.BytesRekeyed / 1e6:F1} MB in {seconds:F2} s: {summary.Rekeyed / seconds:F1} DBs/s, {summary.BytesRekeyed / 1e6 / seconds:F1} MB/s"));
        }
    }
}
