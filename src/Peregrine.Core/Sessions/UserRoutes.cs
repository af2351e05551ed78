using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Peregrine.Sessions;

/// <summary>
/// Endpoints that act for a user are grouped, and the group requires the user once. The filter resolves the
/// request's <see cref="UserContext"/> (or short-circuits with the refusal) before any handler runs.
/// </summary>
public static class UserRoutes
{
    public static RouteGroupBuilder RequireUser(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (invocation, next) =>
        {
            var services = invocation.HttpContext.RequestServices;
            var resolution = await services.GetRequiredService<IUserContextResolver>().ResolveAsync(invocation.HttpContext);
            if (resolution.Refusal is not null)
            {
                return resolution.Refusal;
            }

            services.GetRequiredService<CurrentUser>().Set(resolution.User!);
            return await next(invocation);
        });
        return group;
    }

    public static IServiceCollection AddUserContext(this IServiceCollection services)
    {
        services.AddScoped<CurrentUser>();
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
