using System.Collections.Concurrent;
using Dapper;
using Npgsql;
using Peregrine.CloudSeams;
using Peregrine.Sessions;

namespace Peregrine.Api.Erasure;

/// <summary>
/// <c>account_erasures</c> behind a per-process cache, consulted on every signed-in request. An answer is reused for
/// <see cref="CacheFor"/>; this process's own erasures are known at once (<see cref="Note"/>), another process's within
/// that time, and at once wherever the erased tree is about to be recreated (the provisioner asks with refresh).
/// When the platform DB cannot answer, the last known answer stands (a never-asked user counts as not erased) and the
/// DB is asked again after <see cref="RetryAfterOutage"/>: requests never depend on Postgres being up. The limit that
/// leaves: while Postgres is down, a process that never learnt of an erasure accepts that user's old sessions; the
/// erased files are gone and stay gone, but such a session gets a new, empty tree. Stale "not erased" answers are
/// swept now and then (they say no more than a never-asked user), so the cache follows the recently active users.
/// </summary>
public sealed class AccountErasureLedger(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<AccountErasureLedger> logger) : IAccountErasures
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RetryAfterOutage = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LookupBudget = TimeSpan.FromSeconds(2);

    private const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<string, Entry> _known = new(StringComparer.Ordinal);
    private int _answersSinceSweep;

    public async ValueTask<DateTimeOffset?> ErasedAtAsync(string userId, bool refresh, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var known = _known.GetValueOrDefault(userId);
        if (known is not null && !refresh && now < known.FreshUntil)
        {
            return known.ErasedAt;
        }

        const string sql = "SELECT erased_at FROM account_erasures WHERE user_id = @id";
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(LookupBudget);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(budget.Token);
            var erasedAt = await connection.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(sql, new { id = Guid.Parse(userId) }, cancellationToken: budget.Token));
            var answer = erasedAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            var entry = new Entry(Latest(answer, known?.ErasedAt), now + CacheFor);
            Remember(userId, entry, now);
            return entry.ErasedAt;
        }
        catch (Exception e) when ((e is NpgsqlException or OperationCanceledException or TimeoutException) && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Erasure lookup fell back to the last known answer: platform DB unavailable ({Kind})", e.GetType().Name);
            Remember(userId, new Entry(known?.ErasedAt, now + RetryAfterOutage), now);
            return known?.ErasedAt;
        }
    }

    /// <summary>This process erased the account at <paramref name="erasedAt"/> (the row is committed).</summary>
    public void Note(string userId, DateTimeOffset erasedAt) =>
        _known.AddOrUpdate(userId, _ => new Entry(erasedAt, clock.GetUtcNow() + CacheFor), (_, e) => new Entry(Latest(erasedAt, e.ErasedAt), clock.GetUtcNow() + CacheFor));

    /// <summary>Records the erasure inside the caller's transaction (the one that deletes the platform rows).</summary>
    public static Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, DateTimeOffset erasedAt, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO account_erasures (user_id, erased_at) VALUES (@userId, @erasedAt)
            ON CONFLICT (user_id) DO UPDATE SET erased_at = greatest(account_erasures.erased_at, EXCLUDED.erased_at),
                logged_at = CASE WHEN EXCLUDED.erased_at > account_erasures.erased_at THEN NULL ELSE account_erasures.logged_at END
            """;
        return connection.ExecuteAsync(new CommandDefinition(sql, new { userId, erasedAt = erasedAt.UtcDateTime }, transaction, cancellationToken: cancellationToken));
    }

    private void Remember(string userId, Entry entry, DateTimeOffset now)
    {
        _known[userId] = entry;
        if (Interlocked.Increment(ref _answersSinceSweep) % SweepEvery != 0)
        {
            return;
        }

        foreach (var (id, known) in _known)
        {
            if (known.ErasedAt is null && known.FreshUntil <= now)
            {
                _known.TryRemove(new KeyValuePair<string, Entry>(id, known));
            }
        }
    }

    /// <summary>How many users' answers are cached (tests: the cache stays bounded by the recently active users).</summary>
    internal int CachedCount => _known.Count;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private sealed record Entry(DateTimeOffset? ErasedAt, DateTimeOffset FreshUntil);
}
