using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Sessions;

namespace Peregrine.Backup;

/// <summary>
/// Settings → Data: export a portable backup, inspect one, restore one (runbook "Backup / Restore (Cloud Mode)").
/// The zip holds the user's credential-bearing configs too, as upstream's does: it is the user's own data.
/// </summary>
public static class BackupApi
{
    private const string Busy = "A backup or restore is already running for this account. Try again when it has finished.";
    private const string DatabaseInUse = "Your data is in use by other requests. Nothing was restored; try again in a moment.";

    public static RouteGroupBuilder MapBackup(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/settings/data").RequireUser();
        group.MapGet("/backup", Export).WithName("ExportBackup");
        // The upload is read by StagedUpload (into the user's tree), not bound by the framework (into /tmp).
        group.MapPost("/backup/inspect", Inspect).WithName("InspectBackup").Accepts<IFormFile>("multipart/form-data");
        group.MapPost("/restore", Restore).WithName("RestoreBackup").Accepts<IFormFile>("multipart/form-data");
        return group;
    }

    public static IServiceCollection AddBackup(this IServiceCollection services)
    {
        services.AddOptions<BackupOptions>().BindConfiguration(BackupOptions.Section);
        services.AddSingleton<UserOperationLocks>();
        services.AddSingleton<BackupExporter>();
        services.AddSingleton<BackupRestorer>();
        services.AddSingleton<RestoredDatabasePreparer>();
        return services;
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Export(
        UserContext user, BackupExporter exporter, UserOperationLocks locks, IOptions<BackupOptions> options, TimeProvider time, HttpContext http,
        [FromQuery(Name = "include_db")] bool includeDb = true)
    {
        var held = locks.TryAcquire(user.UserId);
        if (held is null)
        {
            return TypedResults.Problem(Busy, statusCode: StatusCodes.Status409Conflict);
        }

        http.Response.RegisterForDispose(held);
        var backup = await exporter.PrepareAsync(user, includeDb, http.RequestAborted);
        http.Response.RegisterForDispose(backup);
        // ZipArchive's entry streams flush their last deflate block in a synchronous Dispose even on the async path
        // (.NET 10); allow that for this one response rather than buffering the zip.
        http.Features.GetRequiredFeature<IHttpBodyControlFeature>().AllowSynchronousIO = true;
        var limits = options.Value;
        return TypedResults.Stream(
            stream => backup.WriteToAsync(new StallGuardedStream(stream, limits.StalledDownloadTimeout, limits.DownloadDeadline, http.Abort, time), http.RequestAborted),
            "application/zip",
            backup.FileName);
    }

    public static async Task<Results<Ok<BackupListing>, ProblemHttpResult>> Inspect(
        UserContext user, IOptions<BackupOptions> options, HttpContext http)
    {
        try
        {
            await using var upload = await StagedUpload.ReadAsync(http, user, options.Value.MaxUploadBytes, http.RequestAborted);
            using var zip = BackupArchive.Open(upload.File);
            return TypedResults.Ok(BackupArchive.List(zip));
        }
        catch (InvalidBackupException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    public static async Task<Results<Ok<RestoreResult>, ProblemHttpResult>> Restore(
        UserContext user, BackupRestorer restorer, UserOperationLocks locks, IOptions<BackupOptions> options, HttpContext http)
    {
        using var held = locks.TryAcquire(user.UserId);
        if (held is null)
        {
            return TypedResults.Problem(Busy, statusCode: StatusCodes.Status409Conflict);
        }

        try
        {
            await using var upload = await StagedUpload.ReadAsync(http, user, options.Value.MaxUploadBytes, http.RequestAborted);
            var includeDb = upload.Flag("include_db", fallback: true);
            var overwrite = upload.Flag("overwrite", fallback: true);
            return TypedResults.Ok(await restorer.RestoreAsync(user, upload.File, includeDb, overwrite, http.RequestAborted));
        }
        catch (InvalidBackupException e)
        {
            return TypedResults.Problem(e.Message, title: "The backup cannot be restored", statusCode: StatusCodes.Status400BadRequest);
        }
        catch (TimeoutException)
        {
            // Requests kept the DB open for the whole wait; nothing was replaced.
            return TypedResults.Problem(DatabaseInUse, statusCode: StatusCodes.Status409Conflict);
        }
    }
}
