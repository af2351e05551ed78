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
    IOptions<PeregrineOptions> settings,
    IOptions<DirectusSessionOptions> sessionOptions)
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

        // Signing in comes back to the page that was asked for. Development has no Directus: the wall links to the
        // developer sign-in instead.
        var page = $"{Request.PathBase}{Request.Path}{Request.QueryString}";
        var refusal = _refusal is not SignInWall wall ? _refusal
            : environment.IsDevelopment() ? wall.WithSignInUrl($"{settings.Value.PathBase}/api/dev/sign-in?next={DirectusSessionOptions.ReturnPath(page)}")
            : wall.WithSignInUrl(sessionOptions.Value.SignInUrlFor(settings.Value.App, page));
        await refusal.ExecuteAsync(Context);
    }
}

public static class CfSessionAuthentication
{
    /// <summary>
    /// Pages ask for the scheme through the default policy only, and no default scheme is set: the authentication
    /// middleware does nothing, so JSON endpoints (which resolve the user in <see cref="UserRoutes.RequireUser"/>) never
    /// pay for a second resolution.
    /// </summary>
    public static IServiceCollection AddCfSessionAuthentication(this IServiceCollection services)
    {
        // WebApplication adds the authentication middleware on its own, first in the pipeline, and a lone scheme
        // would become its default: every request (JSON ones too) would resolve the user there, outside the
        // exception handler. Without a default scheme that middleware authenticates nothing.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication(_ => { })
            .AddScheme<AuthenticationSchemeOptions, CfSessionAuthenticationHandler>(CfSessionAuthenticationHandler.SchemeName, _ => { });
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(CfSessionAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());
        return services;
    }
}
