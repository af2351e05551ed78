using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Web.Components;

namespace Peregrine.Web;

/// <summary>The browser UI's wiring, shared by the cloud API and the demo host.</summary>
public static class WebUi
{
    public static IServiceCollection AddPeregrineWeb(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddCascadingAuthenticationState();
        services.AddOptions<WebUiOptions>();
        // First in line, so a browser navigating to a failing page gets a page, while API clients keep problem+json.
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, FriendlyErrorPageWriter>());
        services.AddSettingsTab("My profile", "settings/profile", order: 10);
        services.AddSettingsTab("Search", "settings/search", order: 20);
        services.AddSettingsTab("Data", "settings/data", order: 40);
        return services;
    }

    /// <summary>A tab of the Settings pages; a host with more settings pages (the cloud API: Privacy, Account) adds its own.</summary>
    public static IServiceCollection AddSettingsTab(this IServiceCollection services, string title, string href, int order) =>
        services.AddSingleton(new SettingsTab(title, href, order));

    /// <summary>Pages that live in another assembly (the cloud API's Privacy and Account pages).</summary>
    public static IServiceCollection AddPagesFrom(this IServiceCollection services, Assembly assembly) =>
        services.Configure<WebUiOptions>(o => o.PageAssemblies.Add(assembly));

    /// <summary>
    /// A page's form post that the framework cannot use becomes our 400 problem rather than the framework's text. After
    /// routing and antiforgery, whose verdict it reads.
    /// </summary>
    public static WebApplication UsePagePostGuard(this WebApplication app)
    {
        app.Use(PagePostGuard.InvokeAsync);
        return app;
    }

    /// <summary>The pages, their static files, and the Data page's restore upload.</summary>
    public static WebApplication MapPeregrineWeb(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<WebUiOptions>>().Value;
        app.MapRestoreUpload();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddAdditionalAssemblies([.. options.PageAssemblies]);
        return app;
    }
}

public sealed class WebUiOptions
{
    public List<Assembly> PageAssemblies { get; } = [];
}

public sealed record SettingsTab(string Title, string Href, int Order);
