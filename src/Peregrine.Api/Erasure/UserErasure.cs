using Dapper;
using Microsoft.Extensions.Options;
using Peregrine.Api.Operations.DisasterRecovery;
using Peregrine.Api.Platform;
using Peregrine.Backup;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Api.Erasure;

[GenerateSerializer]
[Immutable]
public sealed record ErasedRows(
    [property: Id(0)] long UsageEvents,
    [property: Id(1)] long TelemetryConsent,
    [property: Id(2)] long SupportAccessGrants,
    [property: Id(3)] long Subscriptions);

/// <summary>
/// What was erased, and proof it is gone. No personal data beyond the user id. Serialisable by Orleans too: in shard
/// mode the erasure runs under the user's grain on their home shard, which hands the receipt back.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record ErasureReceipt(
    [property: Id(0)] string UserId,
    [property: Id(1)] DateTime ErasedAt,
    [property: Id(2)] ErasedRows PlatformRows,
    [property: Id(3)] long FilesRemoved,
    [property: Id(4)] long BytesRemoved,
    [property: Id(5)] bool Verified);

/// <summary>Nothing was removed (the user's requests did not finish in time, or a backup or restore runs): try again.</summary>
public sealed class ErasureNotStartedException(string message) : Exception(message);

/// <summary>The erasure is recorded and the platform rows are gone, but files remain: running it again finishes it.</summary>
public sealed class ErasureNotVerifiedException(string message) : Exception(message);

/// <summary>
/// GDPR erasure of one user, one operation whatever starts it (<c>DELETE /{app}/api/account</c>, the operator's
/// <c>erase-user</c>). In this process it holds the user's export/restore slot, tree provisioning and every app's DB
/// (open requests finish, new ones wait and are then refused); it moves the tree aside by one rename, deletes the
/// platform rows and records the erasure in one transaction (an outage puts the tree back: nothing happened), removes
/// the moved tree and verifies. Other processes notice the removed tree on their next open, and refuse sessions issued
/// before the recorded time. Idempotent: running it again finishes a failed one, or yields a receipt of zeros.
/// </summary>
public sealed class UserErasure(
    PlatformDb platform,
    UserDatabases databases,
    UserTreeProvisioner provisioner,
    UserOperationLocks operations,
    IAccountErasures erasures,
    TimeProvider clock,
    IOptions<PeregrineOptions> options,
    IOptions<BackupOptions> backupOptions,
    IConfiguration configuration)
{
    private const string TrashPrefix = ".erasing-";

    public async Task<ErasureReceipt> EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        var id = userId.ToString();
        var root = DataRoot();
        var userDirectory = Path.Combine(root, id);
        var trash = Path.Combine(root, TrashPrefix + id);

        using var operation = operations.TryAcquire(id)
            ?? throw new ErasureNotStartedException("A backup or restore is running for this account. Nothing was erased; try again when it has finished.");
        using var provisioning = await provisioner.HoldAsync(id, cancellationToken);
        var locations = AppDirectories(userDirectory).Select(app => CloudUserResolver.ForUser(options.Value, id, app).Database).ToList();
        var holds = new List<IDisposable>();
        try
        {
            foreach (var location in locations)
            {
                holds.Add(await HoldAsync(location, cancellationToken));
            }

            // The time is taken once the tree is gone from its path: a backup that began copying the user at or after
            // this instant cannot hold the erased tree, so a restore can tell by comparing times which copies to withhold.
            var moved = MoveAside(userDirectory, trash);
            var erasedAt = clock.GetUtcNow();
            ErasedRows rows;
            try
            {
                rows = await DeletePlatformRowsAsync(userId, erasedAt, cancellationToken);
            }
            catch when (moved)
            {
                // Nothing is recorded, so nothing may be missing either: the tree goes back, the erasure never happened.
                Directory.Move(trash, userDirectory);
                throw;
            }

            FaultInjection.Reach(FaultInjection.ErasureAfterCommit);
            (erasures as AccountErasureLedger)?.Note(id, erasedAt);
            foreach (var location in locations)
            {
                databases.MarkRemoved(location);
            }

            var (files, bytes) = RemoveTrash(trash);
            RemoveStagedCopy(id);
            await VerifyAsync(userId, userDirectory, trash, cancellationToken);
            return new ErasureReceipt(id, erasedAt.UtcDateTime, rows, files, bytes, Verified: true);
        }
        finally
        {
            foreach (var hold in holds)
            {
                hold.Dispose();
            }
        }
    }

    /// <summary>Whether an erasure of the user was recorded but its moved-aside tree is still on disk.</summary>
    public bool IsUnfinished(Guid userId) => Directory.Exists(Path.Combine(DataRoot(), TrashPrefix + userId));

    /// <summary>
    /// Finishes a recorded erasure whose moved-aside tree could not be removed: only that tree goes. The platform rows
    /// went with the recorded transaction, and any that exist now belong to a new account the user opened since.
    /// </summary>
    public Task<ErasureReceipt> FinishAsync(Guid userId)
    {
        var trash = Path.Combine(DataRoot(), TrashPrefix + userId);
        var (files, bytes) = RemoveTrash(trash);
        return Directory.Exists(trash)
            ? throw new ErasureNotVerifiedException($"erasure of {userId} could not be verified: files remain")
            : Task.FromResult(new ErasureReceipt(userId.ToString(), clock.GetUtcNow().UtcDateTime, new ErasedRows(0, 0, 0, 0), files, bytes, Verified: true));
    }

    /// <summary>Users whose erasure was interrupted after their tree was moved aside (a crash): <see cref="EraseAsync"/> finishes each.</summary>
    public IReadOnlyList<Guid> InterruptedErasures()
    {
        var root = DataRoot();
        return Directory.Exists(root)
            ? [.. Directory.EnumerateDirectories(root, TrashPrefix + "*")
                .Select(d => Guid.TryParseExact(Path.GetFileName(d)[TrashPrefix.Length..], "D", out var id) ? id : Guid.Empty)
                .Where(id => id != Guid.Empty)]
            : [];
    }

    /// <summary>The copy <c>backup-all</c> keeps between runs must not outlive the user's tree on this host.</summary>
    private void RemoveStagedCopy(string userId)
    {
        try
        {
            new StagingArea(DisasterRecoveryOptions.From(configuration).Staging(options.Value)).RemoveUser(userId);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ErasureNotVerifiedException($"the erasure is recorded but the backup staging copy remains ({e.GetType().Name})");
        }
    }

    private async Task<IDisposable> HoldAsync(DatabaseLocation location, CancellationToken cancellationToken)
    {
        try
        {
            return await databases.HoldForReplacementAsync(location, backupOptions.Value.ReplacementWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new ErasureNotStartedException("Your data is in use by requests that did not finish in time. Nothing was erased; try again in a moment.");
        }
        catch (InvalidOperationException)
        {
            throw new ErasureNotStartedException("Your data is being replaced by a restore. Nothing was erased; try again when it has finished.");
        }
    }

    /// <summary>The data root, normalised: the user's tree and its trash name are direct children of it.</summary>
    private string DataRoot() => Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Value.DataRoot));

    /// <summary>Every app folder of the user on disk, and this service's app (which a waiting request may be about to open).</summary>
    private SortedSet<string> AppDirectories(string userDirectory)
    {
        var apps = new SortedSet<string>(StringComparer.Ordinal) { options.Value.App };
        if (Directory.Exists(userDirectory))
        {
            apps.UnionWith(Directory.EnumerateDirectories(userDirectory).Select(Path.GetFileName).OfType<string>());
        }

        return apps;
    }

    /// <summary>One rename takes the whole tree away from every process at once; a leftover from a failed erasure goes first.</summary>
    private static bool MoveAside(string userDirectory, string trash)
    {
        if (!Directory.Exists(userDirectory))
        {
            return false;
        }

        if (Directory.Exists(trash))
        {
            RemoveTrash(trash);
        }

        Directory.Move(userDirectory, trash);
        return true;
    }

    private async Task<ErasedRows> DeletePlatformRowsAsync(Guid userId, DateTimeOffset erasedAt, CancellationToken cancellationToken)
    {
        await using var connection = await platform.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = await DeleteRowsAsync(connection, transaction, userId, cancellationToken);
        await AccountErasureLedger.RecordAsync(connection, transaction, userId, erasedAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    internal static async Task<ErasedRows> DeleteRowsAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction? transaction, Guid userId, CancellationToken cancellationToken)
    {
        // Explicit per table (rather than relying on the cascade) so the receipt can say what each held.
        const string deleteEvents = "DELETE FROM usage_events WHERE user_id = @userId";
        const string deleteConsent = "DELETE FROM telemetry_consent WHERE user_id = @userId";
        const string deleteGrants = "DELETE FROM support_access_grants WHERE user_id = @userId";
        const string deleteSubscription = "DELETE FROM subscriptions WHERE user_id = @userId";
        // Where the user lived (shard mode) goes too, so a new sign-in with the same id is placed afresh. Not in the
        // receipt: it says where the data was, not what it held. The columns are text (the canonical id).
        const string deletePlacement = "DELETE FROM user_shard WHERE user_id = @id; DELETE FROM user_moves WHERE user_id = @id";

        Task<int> Delete(string sql) => connection.ExecuteAsync(new CommandDefinition(sql, new { userId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(deletePlacement, new { id = userId.ToString() }, transaction, cancellationToken: cancellationToken));
        return new ErasedRows(
            UsageEvents: await Delete(deleteEvents),
            TelemetryConsent: await Delete(deleteConsent),
            SupportAccessGrants: await Delete(deleteGrants),
            Subscriptions: await Delete(deleteSubscription));
    }

    /// <summary>
    /// Nothing of the user may remain. A platform write that was already past its session check when the erasure began
    /// (a consent change) can commit after the delete; it is deleted once more, then the check must hold.
    /// </summary>
    private async Task VerifyAsync(Guid userId, string userDirectory, string trash, CancellationToken cancellationToken)
    {
        await using var connection = await platform.OpenAsync(cancellationToken);
        if (await CountPlatformRowsAsync(connection, userId, cancellationToken) != new ErasedRows(0, 0, 0, 0))
        {
            await DeleteRowsAsync(connection, transaction: null, userId, cancellationToken);
        }

        if (await CountPlatformRowsAsync(connection, userId, cancellationToken) != new ErasedRows(0, 0, 0, 0) || Directory.Exists(userDirectory) || Directory.Exists(trash))
        {
            throw new ErasureNotVerifiedException($"erasure of {userId} could not be verified: platform rows or files remain");
        }
    }

    private static async Task<ErasedRows> CountPlatformRowsAsync(Npgsql.NpgsqlConnection connection, Guid userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT (SELECT count(*) FROM usage_events WHERE user_id = @userId),
                   (SELECT count(*) FROM telemetry_consent WHERE user_id = @userId),
                   (SELECT count(*) FROM support_access_grants WHERE user_id = @userId),
                   (SELECT count(*) FROM subscriptions WHERE user_id = @userId)
            """;
        var (events, consent, grants, subscriptions) = await connection.QuerySingleAsync<(long, long, long, long)>(
            new CommandDefinition(sql, new { userId }, cancellationToken: cancellationToken));
        return new ErasedRows(events, consent, grants, subscriptions);
    }

    private static (long Files, long Bytes) RemoveTrash(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return (0, 0);
        }

        // Symbolic links are removed, never followed: nothing outside the user's tree is counted or touched.
        var files = new DirectoryInfo(directory)
            .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .ToList();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ErasureNotVerifiedException($"the erasure is recorded but files remain ({e.GetType().Name})");
        }

        return (files.Count, files.Sum(f => f.Length));
    }
}
