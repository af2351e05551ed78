using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Peregrine.Web;

/// <summary>
/// Checks a page's form post before the framework renders it. Left to the framework, a post it cannot use (no or a
/// garbled antiforgery token, a truncated multipart body, a body that is not a form) is answered with the framework's
/// own 400 text, or a 500 from the form reader. Here it is a 400 problem instead: our friendly page for a browser
/// (<see cref="FriendlyErrorPageWriter"/>), problem+json for everyone else. Runs after routing and the antiforgery
/// middleware, whose verdict it reads (every page endpoint requires the token).
/// </summary>
internal static class PagePostGuard
{
    public const string NotAFormDetail = "This page only accepts the forms it shows.";
    public const string UnreadableDetail = "The form could not be read: it was cut off, too large, or not one this page sends.";
    public const string ExpiredDetail = "The form has expired or did not come from Peregrine. Reload the page and send it again.";

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsPost(context.Request.Method)
            && context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is not null
            && await ProblemAsync(context) is { } detail)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "Bad request", Detail = detail },
            });
            return;
        }

        await next(context);
    }

    private static async Task<string?> ProblemAsync(HttpContext context)
    {
        // Not HasFormContentType: once antiforgery has failed, the form feature throws on any use.
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            || !(type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
                || type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)))
        {
            return NotAFormDetail;
        }

        if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false } failed)
        {
            // The antiforgery check reads the form first, so a body that is not a readable form fails it too.
            return failed.Error is AntiforgeryValidationException ? ExpiredDetail : UnreadableDetail;
        }

        try
        {
            // Cached: the page's form binding reads this same form.
            await context.Request.ReadFormAsync(context.RequestAborted);
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            return UnreadableDetail;
        }
    }
}
