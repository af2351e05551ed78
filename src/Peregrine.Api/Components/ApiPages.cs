using Peregrine.Web;

namespace Peregrine.Api.Components;

internal static class ApiPages
{
    /// <summary>Settings pages that need the platform DB (privacy, account erasure) live here, beside their services.</summary>
    public static IServiceCollection AddApiPages(this IServiceCollection services) => services
        .AddPagesFrom(typeof(ApiPages).Assembly)
        .AddSettingsTab("Privacy", "settings/privacy", order: 30)
        .AddSettingsTab("Account", "settings/account", order: 50);
}
