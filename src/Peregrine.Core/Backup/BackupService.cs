using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Peregrine.Errors;
using Peregrine.Sessions;

namespace Peregrine.Backup;

/// <summary>
/// Inspecting and restoring backups, for <see cref="BackupApi"/> and the Data page alike. Every upload is read by
/// <see cref="StagedUpload"/>: streamed into the user's own tree under <see cref="BackupOptions.MaxUploadBytes"/>, never
/// buffered by the framework's form reader. One backup or restore runs at a time per user.
/// </summary>
public sealed class BackupService(BackupRestorer restorer, UserOperationLocks locks, RestoreUploads kept, IOptions<BackupOptions> options)
{
    public const string Busy = "A backup or restore is already running for this account. Try again when it has finished.";
    private const string DatabaseInUse = "Your data is in use by other requests. Nothing was restored; try again in a moment.";
    private const string CannotRestore = "The backup cannot be restored";

    public static readonly Refusal UploadExpired = Refusal.NotFound("That upload has expired. Upload the backup again.");

    private long MaxUploadBytes => options.Value.MaxUploadBytes;

    /// <summary>What the uploaded backup holds (multipart field <c>file</c>), writing nothing.</summary>
    public async Task<Outcome<BackupListing>> InspectAsync(UserContext user, HttpContext http)
    {
        try
        {
            await using var upload = await StagedUpload.ReadAsync(http, user, MaxUploadBytes, http.RequestAborted);
            using var zip = BackupArchive.Open(upload.File);
            return BackupArchive.List(zip);
        }
        catch (InvalidBackupException e)
        {
            return Refusal.BadRequest(e.Message);
        }
    }

    /// <summary>The restore endpoint: one post carries the backup and its <c>include_db</c> and <c>overwrite</c> flags.</summary>
    public Task<Outcome<RestoreResult>> RestoreUploadAsync(UserContext user, HttpContext http) =>
        RestoreHeldAsync(user, async () =>
        {
            await using var upload = await StagedUpload.ReadAsync(http, user, MaxUploadBytes, http.RequestAborted);
            var includeDb = upload.Flag("include_db", fallback: true);
            var overwrite = upload.Flag("overwrite", fallback: true);
            return await restorer.RestoreAsync(user, upload.File, includeDb, overwrite, http.RequestAborted);
        });

    /// <summary>
    /// The Data page's first post: the upload (multipart field <c>file</c>), read as the restore endpoint reads it, kept
    /// for the confirm post under the returned id (see <see cref="RestoreUploads"/>). A form's unticked
    /// <c>include_db</c> box sends nothing, so here its absence means false.
    /// </summary>
    public async Task<Outcome<KeptUpload>> KeepUploadAsync(UserContext user, HttpContext http)
    {
        string? id = null;
        try
        {
            await using var upload = await StagedUpload.ReadAsync(http, () => CreateKept(user, out id), MaxUploadBytes, http.RequestAborted);
            return new KeptUpload(id!, upload.Flag("include_db", fallback: false));
        }
        catch (InvalidBackupException e)
        {
            RestoreUploads.Discard(user, id);
            return Refusal.BadRequest(e.Message);
        }
        catch
        {
            RestoreUploads.Discard(user, id);
            throw;
        }
    }

    /// <summary>What restoring the kept upload would do, decided by the restore's own plan, writing nothing.</summary>
    public Outcome<RestorePreview> PreviewKept(UserContext user, string? id, bool includeDb)
    {
        using var upload = kept.Open(user, id);
        if (upload is null)
        {
            return UploadExpired;
        }

        try
        {
            return restorer.Preview(user, upload, includeDb, overwrite: true);
        }
        catch (InvalidBackupException e)
        {
            upload.Dispose();
            RestoreUploads.Discard(user, id);
            return Refusal.BadRequest(e.Message, CannotRestore);
        }
    }

    /// <summary>The Data page's confirm post: restores the kept upload, which is removed once restored.</summary>
    public async Task<Outcome<RestoreResult>> RestoreKeptAsync(UserContext user, string? id, bool includeDb, CancellationToken cancellationToken)
    {
        Outcome<RestoreResult> restored;
        await using (var upload = kept.Open(user, id))
        {
            if (upload is null)
            {
                return UploadExpired;
            }

            restored = await RestoreHeldAsync(user, () => restorer.RestoreAsync(user, upload, includeDb, overwrite: true, cancellationToken));
        }

        if (restored.Refusal is null)
        {
            RestoreUploads.Discard(user, id);
        }

        return restored;
    }

    private FileStream CreateKept(UserContext user, out string? id)
    {
        (id, var file) = kept.Create(user);
        return file;
    }

    /// <summary>Runs a restore while holding the user's backup/restore slot; the ways it can fail are refusals.</summary>
    private async Task<Outcome<RestoreResult>> RestoreHeldAsync(UserContext user, Func<Task<RestoreResult>> restore)
    {
        using var held = locks.TryAcquire(user.UserId);
        if (held is null)
        {
            return Refusal.Conflict(Busy);
        }

        try
        {
            return await restore();
        }
        catch (InvalidBackupException e)
        {
            return Refusal.BadRequest(e.Message, CannotRestore);
        }
        catch (TimeoutException)
        {
            // Requests kept the DB open for the whole wait; nothing was replaced.
            return Refusal.Conflict(DatabaseInUse);
        }
    }
}

/// <summary>An upload kept for the Data page's confirm post, and whether the user asked to restore the database too.</summary>
public sealed record KeptUpload(string Id, bool IncludeDb);
