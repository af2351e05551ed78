using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Feedback;

/// <summary>
/// Upstream's feedback router, whose POST files a Forgejo issue. No instance here files issues, so the status
/// is always disabled and the POST says why in this instance's own terms: upstream answered the cloud with the demo's
/// message ("Feedback disabled in demo mode."), which is not true there.
/// </summary>
public static class FeedbackApi
{
    public const string DisabledInDemo = "Feedback disabled in demo mode.";
    public const string DisabledInCloud = "Feedback is not collected through the managed cloud. Contact CircuitForge support instead.";
    public const string NotConfigured = "Feedback disabled: this instance has no issue tracker configured.";

    public static RouteGroupBuilder MapFeedback(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/feedback").WithTags("Feedback");
        group.MapGet("/status", GetStatus).WithName("GetFeedbackStatus");
        group.MapPost("", Submit).WithName("SubmitFeedback");
        return group;
    }

    public static Ok<FeedbackStatus> GetStatus() => TypedResults.Ok(new FeedbackStatus(Enabled: false));

    /// <summary>Refused before the body is read: nothing a visitor sends is stored or forwarded.</summary>
    public static ProblemHttpResult Submit(IOptions<PeregrineOptions> options)
    {
        var settings = options.Value;
        return settings switch
        {
            { DemoMode: true } => TypedResults.Problem(DisabledInDemo, statusCode: StatusCodes.Status403Forbidden),
            { CloudMode: true } => TypedResults.Problem(DisabledInCloud, statusCode: StatusCodes.Status403Forbidden),
            _ => TypedResults.Problem(NotConfigured, statusCode: StatusCodes.Status503ServiceUnavailable),
        };
    }
}

public sealed record FeedbackStatus(bool Enabled);
