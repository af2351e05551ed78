using Dapper;
using Microsoft.Extensions.Options;
using Peregrine.Api.Platform;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Api.Erasure;

public sealed record ErasedRows(long UsageEvents, long TelemetryConsent, long SupportAccessGrants, long Subscriptions);

/// <summary>What was erased, and proof it is gone. No personal data beyond the user id.</summary>
public sealed record ErasureReceipt(string UserId, DateTime ErasedAt, ErasedRows PlatformRows, long FilesRemoved, long BytesRemoved, bool Verified);

public sealed class ErasureNotVerifiedException(string message) : Exception(message);

/// <summary>
/// GDPR erasure of one user, shared by <c>DELETE /{app}/api/account</c> and the operator's <c>erase-user</c> command:
/// evict pooled DB handles, delete every platform row in one transaction, remove <c>&lt;root&gt;/&lt;user-id&gt;/</c>,
/// then check that both are really gone. Idempotent: an unknown or already erased user yields a receipt of zeros.
/// </summary>
public sealed class UserErasure(PlatformDb platform, UserDatabases databases, TimeProvider clock, IOptions<PeregrineOptions> options)
{
    public async Task<ErasureReceipt> EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        var id = userId.ToString();
        var userDirectory = UserDirectory(id);

        // Pooled handles keep the file open; closing them first means no late write can recreate part of the tree.
        EvictDatabases(id, userDirectory);
        var rows = await DeletePlatformRowsAsync(userId, cancellationToken);
        var (files, bytes) = RemoveDirectory(userDirectory);

        var remaining = await CountPlatformRowsAsync(userId, cancellationToken);
        if (remaining != new ErasedRows(0, 0, 0, 0) || Directory.Exists(userDirectory))
        {
            throw new ErasureNotVerifiedException($"erasure of {id} could not be verified: platform rows or files remain");
        }

        return new ErasureReceipt(id, clock.GetUtcNow().UtcDateTime, rows, files, bytes, Verified: true);
    }

    /// <summary><c>&lt;root&gt;/&lt;user-id&gt;</c>, checked to be a direct child of the data root after normalisation.</summary>
    private string UserDirectory(string userId)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Value.DataRoot));
        var directory = Path.GetFullPath(Path.Combine(root, userId));
        return Path.GetDirectoryName(directory) == root
            ? directory
            : throw new InvalidOperationException("user directory escapes the data root");
    }

    private void EvictDatabases(string userId, string userDirectory)
    {
        if (!Directory.Exists(userDirectory))
        {
            return;
        }

        foreach (var appDirectory in Directory.EnumerateDirectories(userDirectory))
        {
            databases.Evict(CloudUserResolver.ForUser(options.Value, userId, Path.GetFileName(appDirectory)).Database);
        }
    }

    private async Task<ErasedRows> DeletePlatformRowsAsync(Guid userId, CancellationToken cancellationToken)
    {
        // Explicit per table (rather than relying on the cascade) so the receipt can say what each held.
        const string deleteEvents = "DELETE FROM usage_events WHERE user_id = @userId";
        const string deleteConsent = "DELETE FROM telemetry_consent WHERE user_id = @userId";
        const string deleteGrants = "DELETE FROM support_access_grants WHERE user_id = @userId";
        const string deleteSubscription = "DELETE FROM subscriptions WHERE user_id = @userId";

        await using var connection = await platform.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Task<int> Delete(string sql) => connection.ExecuteAsync(new CommandDefinition(sql, new { userId }, transaction, cancellationToken: cancellationToken));
        var rows = new ErasedRows(
            UsageEvents: await Delete(deleteEvents),
            TelemetryConsent: await Delete(deleteConsent),
            SupportAccessGrants: await Delete(deleteGrants),
            Subscriptions: await Delete(deleteSubscription));
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    private async Task<ErasedRows> CountPlatformRowsAsync(Guid userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT (SELECT count(*) FROM usage_events WHERE user_id = @userId),
                   (SELECT count(*) FROM telemetry_consent WHERE user_id = @userId),
                   (SELECT count(*) FROM support_access_grants WHERE user_id = @userId),
                   (SELECT count(*) FROM subscriptions WHERE user_id = @userId)
            """;
        await using var connection = await platform.OpenAsync(cancellationToken);
        var (events, consent, grants, subscriptions) = await connection.QuerySingleAsync<(long, long, long, long)>(
            new CommandDefinition(sql, new { userId }, cancellationToken: cancellationToken));
        return new ErasedRows(events, consent, grants, subscriptions);
    }

    private static (long Files, long Bytes) RemoveDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return (0, 0);
        }

        // Symbolic links are removed, never followed: nothing outside the user's tree is counted or touched.
        var files = new DirectoryInfo(directory)
            .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .ToList();
        Directory.Delete(directory, recursive: true);
        return (files.Count, files.Sum(f => f.Length));
    }
}
