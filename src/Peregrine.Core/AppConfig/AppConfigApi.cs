using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.AppConfig;

/// <summary><c>GET /api/config/app</c>: what the SPA needs to pick its mode. Public: it is read before sign-in.</summary>
public static class AppConfigApi
{
    public static RouteGroupBuilder MapAppConfig(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/config");
        group.MapGet("/app", GetAppConfig).WithName("GetAppConfig");
        return group;
    }

    public static async Task<Ok<AppConfigResponse>> GetAppConfig(
        HttpContext http, IOptions<PeregrineOptions> options, IUserContextResolver users, ITierSource tiers)
    {
        var settings = options.Value;
        var tier = settings.CloudMode ? "free" : "local";
        // Public endpoint: a visitor without a valid session sees free; a signed-in user sees their own tier; a demo
        // visitor sees the tier they simulate.
        if ((settings.CloudMode || settings.DemoMode) && (await users.ResolveAsync(http)).User is { } user)
        {
            tier = await tiers.GetTierAsync(user.UserId, http.RequestAborted);
        }

        return TypedResults.Ok(new AppConfigResponse(
            IsCloud: settings.CloudMode,
            IsDemo: settings.DemoMode,
            IsDevMode: false,
            Tier: tier,
            ContractedClient: false,
            InferenceProfile: settings.CloudMode ? "remote" : "cpu",
            // Cloud and demo users configure through Settings, as upstream does.
            WizardComplete: settings.CloudMode || settings.DemoMode));
    }
}

/// <summary>Upstream's camelCase shape, kept so its Vue SPA can read it.</summary>
public sealed record AppConfigResponse(
    [property: JsonPropertyName("isCloud")] bool IsCloud,
    [property: JsonPropertyName("isDemo")] bool IsDemo,
    [property: JsonPropertyName("isDevMode")] bool IsDevMode,
    [property: JsonPropertyName("tier")] string Tier,
    [property: JsonPropertyName("contractedClient")] bool ContractedClient,
    [property: JsonPropertyName("inferenceProfile")] string InferenceProfile,
    [property: JsonPropertyName("wizardComplete")] bool WizardComplete);
