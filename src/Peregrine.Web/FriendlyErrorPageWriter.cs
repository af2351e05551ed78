using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Web;

/// <summary>
/// A browser that navigates to something that fails gets a page that says what happened and what to do, built only
/// from the problem's title and detail (never exception text). Requests that do not ask for HTML keep problem+json.
/// Its links come from the configured path base, not the request's: the exception handler and the status-code pages
/// run outside the path-base middleware, so by then the request's path base is empty and "/" would be the bastion's
/// root (a 503), not the app's home.
/// </summary>
internal sealed class FriendlyErrorPageWriter(IOptions<PeregrineOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) =>
        context.HttpContext.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
        && !context.HttpContext.Response.HasStarted;

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        var (title, advice) = Explain(status);
        var detail = context.ProblemDetails.Detail;
        var home = WebUtility.HtmlEncode(options.Value.PathBase + "/");
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync($"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{WebUtility.HtmlEncode(title)} — Peregrine</title>
            <link rel="icon" href="{home}{WebUi.FaviconPath}">
            <link rel="stylesheet" href="{home}_content/Peregrine.Web/site.css"></head>
            <body><main class="error-page">
            <h1>{WebUtility.HtmlEncode(title)}</h1>
            {(string.IsNullOrEmpty(detail) ? string.Empty : $"<p>{WebUtility.HtmlEncode(detail)}</p>")}
            <p>{WebUtility.HtmlEncode(advice)}</p>
            <p><a class="button" href="{home}">Back to Peregrine</a></p>
            </main></body></html>
            """, http.RequestAborted);
    }

    internal static (string Title, string Advice) Explain(int status) => status switch
    {
        StatusCodes.Status404NotFound => ("Page not found", "The address may be mistyped, or the item was removed."),
        StatusCodes.Status409Conflict => ("Something else is in progress", "Wait until it has finished, then try again."),
        StatusCodes.Status503ServiceUnavailable => ("Temporarily unavailable", "Part of the service cannot be reached right now. Your data is safe; please try again in a few minutes."),
        StatusCodes.Status400BadRequest => ("That request could not be used", "Go back, check what you entered and try again."),
        _ => ("Something went wrong", "It was not your fault. Please try again; if it keeps happening, contact support."),
    };
}
