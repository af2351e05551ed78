using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Yaml;

namespace Peregrine.Settings;

/// <summary>
/// Upstream's per-user settings and config endpoints over the user's <c>config/</c> files. The Settings
/// pages call the same <see cref="ProfileSettings"/>, <see cref="SearchSettings"/> and <see cref="SetupBanners"/>.
/// </summary>
public static class SettingsApi
{

    /// <summary>What the SPA reads at start: the user's name and the setup banners.</summary>
    public static RouteGroupBuilder MapUserConfig(this IEndpointRouteBuilder routes)
    {
        var config = routes.MapGroup("/api/config").RequireUser().WithTags("Settings");
        config.MapGet("/user", GetUserConfig).WithName("GetUserConfig");
        config.MapGet("/setup-banners", GetSetupBanners).WithName("GetSetupBanners");
        config.MapPost("/setup-banners/{key}/dismiss", DismissSetupBanner).WithName("DismissSetupBanner");
        return config;
    }

    /// <summary>The Settings pages' data: profile, search profiles, theme (the résumé has its own, <c>ResumeApi</c>).</summary>
    public static RouteGroupBuilder MapSettings(this IEndpointRouteBuilder routes)
    {
        var settings = routes.MapGroup("/api/settings").RequireUser().WithTags("Settings");
        settings.MapGet("/profile", (UserContext user) => TypedResults.Ok(ProfileSettings.Read(user))).WithName("GetProfile");
        settings.MapPut("/profile", PutProfile).WithName("PutProfile");
        settings.MapGet("/search", (UserContext user) => TypedResults.Ok(SearchSettings.Read(user))).WithName("GetSearch");
        settings.MapPut("/search", PutSearch).WithName("PutSearch");
        settings.MapGet("/search/export", ExportSearch).WithName("ExportSearch");
        settings.MapPost("/search/import", ImportSearch).WithName("ImportSearch");
        settings.MapPost("/theme", SetTheme).WithName("SetTheme");
        settings.MapPost("/time-zone", SetTimeZone).WithName("SetTimeZone").WithSummary("The IANA zone dates are shown in; empty for UTC");
        return settings;
    }

    public static Ok<UserConfig> GetUserConfig(UserContext user) => TypedResults.Ok(new UserConfig(ProfileSettings.Read(user).Name ?? string.Empty));

    public static Results<Ok<IReadOnlyList<SetupBanner>>, ProblemHttpResult> GetSetupBanners(UserContext user, IOptions<PeregrineOptions> options) =>
        SetupBanners.Visible(user, options.Value) is { } banners
            ? TypedResults.Ok(banners)
            : Problems.Conflict(SetupBanners.MalformedUserYaml);

    public static Results<Ok<OkResponse>, ProblemHttpResult> DismissSetupBanner(string key, UserContext user) =>
        SetupBanners.Dismiss(user, key) ? TypedResults.Ok(OkResponse.Yes) : Problems.NotFound($"Unknown banner: {key}");

    public static Results<Ok<UserProfile>, ProblemHttpResult> PutProfile(UserProfile profile, UserContext user)
    {
        if (ProfileSettings.Validate(profile) is { } problem)
        {
            return Problems.BadRequest(problem);
        }

        ProfileSettings.Write(user, profile);
        return TypedResults.Ok(ProfileSettings.Read(user));
    }

    public static Results<Ok<SearchPreferences>, ProblemHttpResult> PutSearch(SearchPreferences search, UserContext user)
    {
        if (SearchSettings.Validate(search) is { } problem)
        {
            return Problems.BadRequest(problem);
        }

        SearchSettings.Write(user, search);
        return TypedResults.Ok(SearchSettings.Read(user));
    }

    /// <summary>The searches and blocklist as one YAML file to keep or edit (<see cref="SearchSettings.Export"/>).</summary>
    public static FileContentHttpResult ExportSearch(UserContext user) =>
        TypedResults.File(System.Text.Encoding.UTF8.GetBytes(SearchSettings.Export(user)), "application/yaml; charset=utf-8", "peregrine-search.yaml");

    public static Results<Ok<SearchPreferences>, ProblemHttpResult> ImportSearch(SearchImport import, UserContext user) =>
        SearchSettings.Import(user, import.Yaml ?? string.Empty) is { } problem ? Problems.BadRequest(problem) : TypedResults.Ok(SearchSettings.Read(user));

    public static Results<Ok<OkResponse>, ProblemHttpResult> SetTheme(ThemeChoice choice, UserContext user) =>
        AppearanceSettings.SetTheme(user, choice.Theme) is { } refused ? Problems.From(refused) : TypedResults.Ok(OkResponse.Yes);

    public static Results<Ok<OkResponse>, ProblemHttpResult> SetTimeZone(TimeZoneChoice choice, UserContext user) =>
        AppearanceSettings.SetTimeZone(user, choice.TimeZone) is { } refused ? Problems.From(refused) : TypedResults.Ok(OkResponse.Yes);
}

public sealed record UserConfig(string Name);

public sealed record ThemeChoice(string? Theme);

public sealed record SearchImport(string? Yaml);

public sealed record TimeZoneChoice(string? TimeZone);
