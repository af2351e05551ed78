using System.Text.Json;
using Dapper;
using Npgsql;
using Peregrine.Api.Operations.DisasterRecovery;

namespace Peregrine.Api.Erasure;

/// <summary>One erasure as the log keeps it: the user id and the time, the same proof <c>account_erasures</c> holds.</summary>
public sealed record LoggedErasure(Guid UserId, DateTimeOffset ErasedAt);

/// <summary>
/// The durable erasure log a restore re-applies, kept in the backup repository itself. Why there: a restore is needed
/// exactly when the host (and so the platform DB, with its <c>account_erasures</c>) is gone, and an erasure made after
/// the last snapshot must still win then. The repository is the one store that outlives the host and that every
/// restore reads anyway, so no second off-host system is needed.
/// <para>
/// <c>account_erasures</c> stays the log's source of truth on the host (written in the erasure's own transaction), and
/// its <c>logged_at</c> column says what has been shipped. Shipping writes one small restic snapshot (tag
/// <see cref="ResticRepository.ErasureLogTag"/>) holding the whole log: every row of the table merged with the newest
/// log already in the repository, so the log never shrinks, even after a platform DB was restored by hand. A restore
/// reads the union of every log snapshot, so one that is lost or damaged costs nothing. <c>backup-all</c> ships before
/// it snapshots; the scheduled service also ships every minute between snapshots (an erasure is on the host only
/// until then).
/// </para>
/// </summary>
public sealed class ErasureLog(ResticRepository repository, string platformConnectionString)
{
    public const string FileName = "erasure-log.json";

    /// <summary>Ships the log when some erasure is not in it yet (or always, with <paramref name="force"/>); how many were new.</summary>
    public async Task<int> ShipAsync(bool force, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(platformConnectionString);
        await connection.OpenAsync(cancellationToken);
        const string all = "SELECT user_id, erased_at, logged_at IS NULL AS pending FROM account_erasures";
        var rows = (await connection.QueryAsync<(Guid UserId, DateTime ErasedAt, bool Pending)>(new CommandDefinition(all, cancellationToken: cancellationToken))).ToList();
        var pending = rows.Where(r => r.Pending).ToList();
        if (pending.Count == 0 && !force)
        {
            return 0;
        }

        var log = await ReadNewestAsync(cancellationToken);
        foreach (var (userId, erasedAt, _) in rows)
        {
            Merge(log, new LoggedErasure(userId, Utc(erasedAt)));
        }

        var entries = log.Values.OrderBy(e => e.ErasedAt).ThenBy(e => e.UserId).ToList();
        await repository.BackupFileAsync(FileName, JsonSerializer.SerializeToUtf8Bytes(entries, ResticRepository.Json), ResticRepository.ErasureLogTag, cancellationToken);

        // Only the rows shipped as they were: an erasure repeated meanwhile has a later time and stays pending.
        const string mark = """
            UPDATE account_erasures AS a SET logged_at = now()
            FROM unnest(@ids, @times) AS s(id, at)
            WHERE a.user_id = s.id AND a.erased_at = s.at AND a.logged_at IS NULL
            """;
        await connection.ExecuteAsync(new CommandDefinition(mark,
            new { ids = pending.Select(p => p.UserId).ToArray(), times = pending.Select(p => p.ErasedAt).ToArray() }, cancellationToken: cancellationToken));
        return pending.Count;
    }

    /// <summary>Every erasure any log snapshot in the repository holds, the latest time per user.</summary>
    public async Task<IReadOnlyDictionary<Guid, LoggedErasure>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var log = new Dictionary<Guid, LoggedErasure>();
        foreach (var snapshot in await repository.SnapshotsAsync(ResticRepository.ErasureLogTag, cancellationToken))
        {
            foreach (var entry in await ReadAsync(snapshot.Id, cancellationToken))
            {
                Merge(log, entry);
            }
        }

        return log;
    }

    private async Task<Dictionary<Guid, LoggedErasure>> ReadNewestAsync(CancellationToken cancellationToken)
    {
        var log = new Dictionary<Guid, LoggedErasure>();
        var snapshots = await repository.SnapshotsAsync(ResticRepository.ErasureLogTag, cancellationToken);
        if (snapshots.Count > 0)
        {
            foreach (var entry in await ReadAsync(snapshots[^1].Id, cancellationToken))
            {
                Merge(log, entry);
            }
        }

        return log;
    }

    private async Task<List<LoggedErasure>> ReadAsync(string snapshotId, CancellationToken cancellationToken)
    {
        var content = await repository.DumpAsync(snapshotId, "/" + FileName, cancellationToken);
        return JsonSerializer.Deserialize<List<LoggedErasure>>(content, ResticRepository.Json) ?? [];
    }

    private static void Merge(Dictionary<Guid, LoggedErasure> log, LoggedErasure entry)
    {
        if (!log.TryGetValue(entry.UserId, out var known) || known.ErasedAt < entry.ErasedAt)
        {
            log[entry.UserId] = entry;
        }
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
