using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Llm;
using Peregrine.Resume;
using Peregrine.Sessions;

namespace Peregrine.Web;

/// <summary>
/// Where the Résumé page's upload form sends the file. Not to the page itself: a page's post is read whole by the
/// framework's form reader (spooled to <c>TMPDIR</c>), while this reads it as the JSON endpoint does
/// (<see cref="ResumeService"/>: into the user's own tree, under the size limit). The browser is sent back to the page
/// with what happened in its query (post, redirect, get). Like the restore upload, it takes no antiforgery token: the
/// cross-site guard refuses another site's post.
/// </summary>
internal static class ResumePageUpload
{
    public const string Path = "/settings/resume/upload";

    /// <summary>The Résumé page's query after an upload: <c>?uploaded=pdf[&amp;note=…]</c>, or <c>?refused=TooLarge</c>.</summary>
    public const string UploadedQuery = "uploaded";
    public const string NoteQuery = "note";
    public const string RefusedQuery = "refused";

    public const string DemoNote = "demo";
    public const string UnavailableNote = "unavailable";
    public const string StructuredNote = "structured";

    public static void MapResumePageUpload(this IEndpointRouteBuilder routes) =>
        routes.MapGroup(Path).RequireUser().MapPost("", UploadAsync).WithName("UploadResumeFromPage").ExcludeFromDescription();

    public static string? NoteText(string? note) => note switch
    {
        DemoNote => AiDisabledInDemoException.Text,
        UnavailableNote => ResumeStructurer.NotAvailable,
        _ => null,
    };

    private static async Task<RedirectHttpResult> UploadAsync(UserContext user, ResumeService resumes, HttpContext http)
    {
        var (uploaded, refused) = await resumes.UploadAsync(user, http, http.RequestAborted);
        var page = $"{http.Request.PathBase}/settings/resume";
        if (uploaded is null)
        {
            return TypedResults.Redirect($"{page}?{RefusedQuery}={refused!.Title}");
        }

        var note = uploaded switch
        {
            { Structured: true } => StructuredNote,
            { Note: AiDisabledInDemoException.Text } => DemoNote,
            { Note: not null } => UnavailableNote,
            _ => null,
        };
        return TypedResults.Redirect($"{page}?{UploadedQuery}={uploaded.Format.ToString().ToLowerInvariant()}{(note is null ? string.Empty : $"&{NoteQuery}={note}")}#resume-form");
    }
}
