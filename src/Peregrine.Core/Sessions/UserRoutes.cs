using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Sessions;

/// <summary>
/// Endpoints that act for a user are grouped, and the group requires the user once: the request's
/// <see cref="UserContext"/> is resolved (or the request refused) before any handler runs.
/// </summary>
public static class UserRoutes
{
    /// <summary>
    /// Wraps each endpoint's request delegate rather than adding an endpoint filter, because minimal APIs bind
    /// handler parameters (including the injected <see cref="UserContext"/>) before filters run: a filter would be
    /// too late to supply the user to the handler.
    /// </summary>
    public static RouteGroupBuilder RequireUser(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            var handler = endpoint.RequestDelegate
                ?? throw new InvalidOperationException($"{endpoint.DisplayName} has no request delegate to guard");
            endpoint.RequestDelegate = async context =>
            {
                // Everything a user group answers (the sign-in wall and errors too) is about one user: no cache keeps it.
                context.Response.OnStarting(static state =>
                {
                    ((HttpResponse)state).Headers.CacheControl = "no-store";
                    return Task.CompletedTask;
                }, context.Response);
                var resolution = await context.RequestServices.GetRequiredService<IUserContextResolver>().ResolveAsync(context);
                if (resolution.Refusal is not null)
                {
                    await resolution.Refusal.ExecuteAsync(context);
                    return;
                }

                context.RequestServices.GetRequiredService<CurrentUser>().Set(resolution.User!);
                await handler(context);
            };
        });
        return group;
    }

    /// <summary>
    /// The request's user: the cloud resolver (Directus session) when <c>CLOUD_MODE</c> is on, the local one
    /// otherwise, chosen once from the validated options.
    /// </summary>
    public static IServiceCollection AddUserContext(this IServiceCollection services)
    {
        services.AddOptions<DirectusSessionOptions>().BindConfiguration(DirectusSessionOptions.Section);
        services.AddSingleton<DirectusSessionValidator>();
        services.AddSingleton<UserTreeProvisioner>();
        services.AddSingleton<CloudUserResolver>();
        services.AddSingleton<LocalUserResolver>();
        services.AddSingleton<IUserContextResolver>(sp => sp.GetRequiredService<IOptions<PeregrineOptions>>().Value.CloudMode
            ? sp.GetRequiredService<CloudUserResolver>()
            : sp.GetRequiredService<LocalUserResolver>());
        services.AddScoped<CurrentUser>();
        services.AddExceptionHandler<ErasedAccountExceptionHandler>();
        services.AddCfSessionAuthentication();
        services.AddAntiforgery();
        // Handlers ask for UserContext directly; outside a RequireUser group there is none, and asking is a bug.
        services.AddScoped(sp => sp.GetRequiredService<CurrentUser>().User
            ?? throw new InvalidOperationException("UserContext requested by an endpoint outside a RequireUser() group"));
        return services;
    }
}

/// <summary>Turns a request into its user, or into the response that refuses it.</summary>
public interface IUserContextResolver
{
    ValueTask<UserResolution> ResolveAsync(HttpContext context);
}

public sealed record UserResolution(UserContext? User, IResult? Refusal)
{
    public static UserResolution For(UserContext user) => new(user, null);

    public static UserResolution Refused(IResult refusal) => new(null, refusal);
}

/// <summary>The per-request holder the filter fills once.</summary>
public sealed class CurrentUser
{
    public UserContext? User { get; private set; }

    internal void Set(UserContext user)
    {
        if (User is not null && User.UserId != user.UserId)
        {
            throw new InvalidOperationException("a request resolved to two different users");
        }

        User = user;
    }
}
