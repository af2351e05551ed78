using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Demo.Sandboxes;
using Peregrine.Demo.Seed;
using Peregrine.Demo.Tiers;
using Peregrine.Errors;
using Peregrine.Sessions;

namespace Peregrine.Demo;

/// <summary>
/// The demo toolbar's actions, each twice over the same code: a form post (<c>/demo/tier</c>, <c>/demo/reset</c>; the
/// antiforgery token is checked, then the browser goes back to a path inside this app) for the server-rendered UI and
/// any no-JavaScript page, and JSON under <c>/api/demo</c> for the SPA and scripts.
/// </summary>
public static class DemoApi
{
    public const string ReturnUrlField = "return_url";
    public const string TierField = "tier";

    public static IEndpointRouteBuilder MapDemo(this IEndpointRouteBuilder routes)
    {
        var forms = routes.MapGroup("/demo").WithTags("Demo");
        forms.MapPost("/tier", ChooseTierByForm).WithName("ChooseDemoTierForm");
        forms.MapGroup("").RequireUser().MapPost("/reset", ResetByForm).WithName("ResetDemoForm");

        var api = routes.MapGroup("/api/demo").WithTags("Demo");
        api.MapGet("", GetDemo).WithName("GetDemo");
        api.MapPost("/tier", ChooseTier).WithName("ChooseDemoTier");
        api.MapGroup("").RequireUser().MapPost("/reset", Reset).WithName("ResetDemo");
        return routes;
    }

    public static Ok<DemoState> GetDemo(HttpContext http, DemoSeed seed) =>
        TypedResults.Ok(new DemoState(DemoTier.Of(http), DemoTier.All, seed.Version));

    public static Results<Ok<DemoState>, ProblemHttpResult> ChooseTier(TierChoice choice, HttpContext http, DemoSeed seed) =>
        DemoTier.TryChoose(http, choice.Tier)
            ? TypedResults.Ok(new DemoState(DemoTier.Of(http), DemoTier.All, seed.Version))
            : TypedResults.Problem($"Unknown tier: {choice.Tier}. Choose one of {string.Join(", ", DemoTier.All)}.", statusCode: StatusCodes.Status400BadRequest);

    public static async Task<Ok<ResetResponse>> Reset(UserContext visitor, DemoSandboxes sandboxes, DemoSeed seed, CancellationToken cancellationToken)
    {
        await sandboxes.ResetAsync(visitor, cancellationToken);
        return TypedResults.Ok(new ResetResponse(true, seed.Version));
    }

    /// <summary>Upstream's pills: an unknown tier is ignored and the visitor lands back where they were.</summary>
    public static async Task<Results<RedirectHttpResult, ProblemHttpResult>> ChooseTierByForm(
        HttpContext http, IAntiforgery antiforgery, IOptions<PeregrineOptions> options)
    {
        if (await ReadValidatedFormAsync(http, antiforgery) is not { } form)
        {
            return AntiforgeryRefused();
        }

        DemoTier.TryChoose(http, form[TierField]);
        return BackTo(http, form, options.Value.PathBase);
    }

    public static async Task<Results<RedirectHttpResult, ProblemHttpResult>> ResetByForm(
        HttpContext http, UserContext visitor, DemoSandboxes sandboxes, IAntiforgery antiforgery, IOptions<PeregrineOptions> options)
    {
        if (await ReadValidatedFormAsync(http, antiforgery) is not { } form)
        {
            return AntiforgeryRefused();
        }

        await sandboxes.ResetAsync(visitor, http.RequestAborted);
        // Back to the same page without its query: a notice it carried ("Undo", a saved message) is about data that is gone.
        return BackTo(http, form, options.Value.PathBase, dropQuery: true);
    }

    /// <summary>
    /// Checked here rather than by form-bound parameters: those make the endpoint demand the antiforgery middleware,
    /// and this endpoint must behave the same whether or not a UI added it to the pipeline.
    /// </summary>
    private static async Task<IFormCollection?> ReadValidatedFormAsync(HttpContext http, IAntiforgery antiforgery)
    {
        if (!http.Request.HasFormContentType)
        {
            return null;
        }

        // Read first, so a malformed body is a 400 rather than the antiforgery check's exception; the form is cached.
        var form = await http.Request.ReadFormOrBadRequestAsync(http.RequestAborted);
        await AuthenticateAsPagesDoAsync(http);
        return await antiforgery.IsRequestValidAsync(http) ? form : null;
    }

    /// <summary>
    /// A page's antiforgery token is bound to the user its UI authenticated (the default policy's schemes, over the
    /// visitor resolver); this endpoint is not behind that policy, so it authenticates the same way before validating.
    /// Without a UI there are no such schemes and tokens are anonymous.
    /// </summary>
    private static async Task AuthenticateAsPagesDoAsync(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated == true || http.RequestServices.GetService<IAuthorizationPolicyProvider>() is not { } policies)
        {
            return;
        }

        foreach (var scheme in (await policies.GetDefaultPolicyAsync()).AuthenticationSchemes)
        {
            if (await http.AuthenticateAsync(scheme) is { Succeeded: true, Principal: { } principal })
            {
                http.User = principal;
                return;
            }
        }
    }

    private static ProblemHttpResult AntiforgeryRefused() =>
        TypedResults.Problem("The form has expired or did not come from this site. Reload the page and try again.", statusCode: StatusCodes.Status400BadRequest);

    /// <summary>A redirect to the form's <c>return_url</c>, else the referring page, when either is a path inside this app; else the app's root.</summary>
    private static RedirectHttpResult BackTo(HttpContext http, IFormCollection form, string pathBase, bool dropQuery = false)
    {
        var referrer = Uri.TryCreate(http.Request.Headers.Referer.ToString(), UriKind.Absolute, out var referer)
            && string.Equals(referer.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)
                ? referer.PathAndQuery
                : null;
        var target = new[] { form[ReturnUrlField].ToString(), referrer }.FirstOrDefault(url => IsInsideApp(url, pathBase)) ?? pathBase + "/";
        return TypedResults.Redirect(dropQuery && target.IndexOfAny(['?', '#']) is var cut and >= 0 ? target[..cut] : target);
    }

    /// <summary>Only a path of this app: never a scheme, another host (<c>//host</c>, <c>/\host</c>) or a control character.</summary>
    public static bool IsInsideApp(string? url, string pathBase) =>
        !string.IsNullOrEmpty(url)
        && (url == pathBase || url.StartsWith(pathBase + "/", StringComparison.Ordinal) || url.StartsWith(pathBase + "?", StringComparison.Ordinal))
        && !url.Contains('\\', StringComparison.Ordinal)
        && !url.Any(char.IsControl)
        && Uri.TryCreate(url, UriKind.Relative, out _);
}

public sealed record TierChoice(string? Tier);

public sealed record DemoState(string Tier, IReadOnlyList<string> Tiers, string SeedVersion);

public sealed record ResetResponse(bool Ok, string SeedVersion);
