using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Backup;
using Peregrine.Sessions;

namespace Peregrine.Web;

/// <summary>
/// Where the Data page's restore form sends the backup. Not to the page itself: a page's post is read whole by the
/// framework's form reader (spooled to <c>TMPDIR</c>, and cut off by Kestrel's 30 MB default), while this reads it as the
/// restore endpoint does (<see cref="BackupService"/>). The browser is sent back to the page, which previews the kept
/// upload (post, redirect, get). Like that endpoint, it takes no antiforgery token: the cross-site guard refuses another
/// site's post, and all this does is keep an upload in the user's own tree.
/// </summary>
internal static class RestoreUpload
{
    public const string Path = "/settings/data/upload";

    /// <summary>The Data page's query: <c>?upload={id}&amp;include_db=…</c> after an upload, <c>?refused=upload</c> after a failed one.</summary>
    public const string UploadQuery = "upload";
    public const string IncludeDbQuery = "include_db";
    public const string RefusedQuery = "refused";

    public static void MapRestoreUpload(this IEndpointRouteBuilder routes) =>
        routes.MapGroup(Path).RequireUser().MapPost("", KeepAsync).WithName("KeepRestoreUpload").ExcludeFromDescription();

    private static async Task<RedirectHttpResult> KeepAsync(UserContext user, BackupService backups, HttpContext http)
    {
        var (kept, _) = await backups.KeepUploadAsync(user, http);
        var page = $"{http.Request.PathBase}/settings/data";
        return TypedResults.Redirect(kept is null
            ? $"{page}?{RefusedQuery}=upload"
            : $"{page}?{UploadQuery}={kept.Id}&{IncludeDbQuery}={(kept.IncludeDb ? "true" : "false")}");
    }
}
