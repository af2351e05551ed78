using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Errors;
using Peregrine.Sessions;

namespace Peregrine.Backup;

/// <summary>
/// Settings → Data: export a portable backup, inspect one, restore one (runbook "Backup / Restore (Cloud Mode)").
/// The zip holds the user's credential-bearing configs too, as upstream's does: it is the user's own data.
/// </summary>
public static class BackupApi
{
    public static RouteGroupBuilder MapBackup(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/settings/data").RequireUser();
        group.MapGet("/backup", Export).WithName("ExportBackup");
        group.MapPost("/backup/create", CreateBackup).WithName("CreateBackup").WithSummary("In cloud: a link to the streaming download, nothing stored on the server");
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
        services.AddSingleton<RestoreUploads>();
        services.AddSingleton<BackupService>();
        return services;
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Export(
        UserContext user, BackupExporter exporter, UserOperationLocks locks, IOptions<BackupOptions> options, TimeProvider time, HttpContext http,
        [FromQuery(Name = "include_db")] bool includeDb = true)
    {
        var held = locks.TryAcquire(user.UserId);
        if (held is null)
        {
            return Problems.Conflict(BackupService.Busy);
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

    /// <summary>Upstream wrote the zip on the server and answered its path; the cloud keeps nothing there and answers the download.</summary>
    public static Ok<BackupLink> CreateBackup(BackupRequest? request, HttpRequest http) =>
        TypedResults.Ok(new BackupLink(null, $"{http.PathBase}/api/settings/data/backup?include_db={(request?.IncludeDb == true ? "true" : "false")}"));

    public static async Task<Results<Ok<BackupListing>, ProblemHttpResult>> Inspect(UserContext user, BackupService backups, HttpContext http) =>
        (await backups.InspectAsync(user, http)).ToResult(TypedResults.Ok);

    public static async Task<Results<Ok<RestoreResult>, ProblemHttpResult>> Restore(UserContext user, BackupService backups, HttpContext http) =>
        (await backups.RestoreUploadAsync(user, http)).ToResult(TypedResults.Ok);
}

public sealed record BackupRequest(bool? IncludeDb);

public sealed record BackupLink(string? Path, string DownloadUrl);
