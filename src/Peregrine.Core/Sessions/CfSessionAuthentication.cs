using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Sessions;

/// <summary>
/// The browser UI's authentication: the same <see cref="IUserContextResolver"/> the JSON API uses (Directus session
/// in the cloud, the one local user otherwise, a sandbox per visitor in the demo), so a page and an endpoint can never
/// disagree about who the request is. A challenge answers with the resolver's own refusal: the branded sign-in wall.
/// </summary>
public sealed class CfSessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IUserContextResolver users,
    IHostEnvironment environment,
    IOptions<PeregrineOptions> settings)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "CfSession";
    public const string UserIdClaim = "peregrine:user_id";

    private IResult? _refusal;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var resolution = await users.ResolveAsync(Context);
        if (resolution.User is not { } user)
        {
            _refusal = resolution.Refusal;
            return AuthenticateResult.NoResult();
        }

        Context.RequestServices.GetRequiredService<CurrentUser>().Set(user);
        var identity = new ClaimsIdentity([new Claim(UserIdClaim, user.UserId)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_refusal is null)
        {
            await base.HandleChallengeAsync(properties);
            return;
        }

        // Development has no Directus: the wall links to the developer sign-in, which comes back to the page.
        var refusal = _refusal is SignInWall wall && environment.IsDevelopment()
            ? wall.WithSignInUrl($"{settings.Value.PathBase}/api/dev/sign-in?next={Uri.EscapeDataString(settings.Value.PathBase + "/")}")
            : _refusal;
        await refusal.ExecuteAsync(Context);
    }
}

public static class CfSessionAuthentication
{
    /// <summary>
    /// Pages ask for the scheme through the default policy only, and no default scheme is set: the authentication
    /// middleware is not used, so JSON endpoints (which resolve the user in <see cref="UserRoutes.RequireUser"/>) never
    /// pay for a second resolution.
    /// </summary>
    public static IServiceCollection AddCfSessionAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(_ => { })
            .AddScheme<AuthenticationSchemeOptions, CfSessionAuthenticationHandler>(CfSessionAuthenticationHandler.SchemeName, _ => { });
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(CfSessionAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());
        return services;
    }
}
