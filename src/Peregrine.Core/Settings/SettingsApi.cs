using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Errors;
using Peregrine.Sessions;

namespace Peregrine.Settings;

/// <summary>
/// Upstream's per-user settings and config endpoints over the user's <c>config/</c> files. The Settings
/// pages call the same <see cref="ProfileSettings"/>, <see cref="SearchSettings"/> and <see cref="SetupBanners"/>.
/// </summary>
public static class SettingsApi
{
    public const int MaxResumeBytes = 256 * 1024;
    public static readonly IReadOnlySet<string> Themes = new HashSet<string>(StringComparer.Ordinal)
    {
        "auto", "light", "dark", "solarized-dark", "solarized-light", "colorblind",
    };

    /// <summary>What the SPA reads at start: the user's name and the setup banners.</summary>
    public static RouteGroupBuilder MapUserConfig(this IEndpointRouteBuilder routes)
    {
        var config = routes.MapGroup("/api/config").RequireUser().WithTags("Settings");
        config.MapGet("/user", GetUserConfig).WithName("GetUserConfig");
        config.MapGet("/setup-banners", GetSetupBanners).WithName("GetSetupBanners");
        config.MapPost("/setup-banners/{key}/dismiss", DismissSetupBanner).WithName("DismissSetupBanner");
        return config;
    }

    /// <summary>The Settings pages' data: profile, search profiles, resume, theme.</summary>
    public static RouteGroupBuilder MapSettings(this IEndpointRouteBuilder routes)
    {
        var settings = routes.MapGroup("/api/settings").RequireUser().WithTags("Settings");
        settings.MapGet("/profile", (UserContext user) => TypedResults.Ok(ProfileSettings.Read(user))).WithName("GetProfile");
        settings.MapPut("/profile", PutProfile).WithName("PutProfile");
        settings.MapGet("/search", (UserContext user) => TypedResults.Ok(SearchSettings.Read(user))).WithName("GetSearch");
        settings.MapPut("/search", PutSearch).WithName("PutSearch");
        settings.MapGet("/resume", GetResume).WithName("GetResume");
        settings.MapPut("/resume", PutResume).WithName("PutResume");
        settings.MapPost("/resume/blank", CreateBlankResume).WithName("CreateBlankResume");
        settings.MapPost("/theme", SetTheme).WithName("SetTheme");
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

    public static Ok<Dictionary<string, object?>> GetResume(UserContext user)
    {
        if (!UserConfigFiles.Exists(user, UserConfigFiles.ResumeYaml))
        {
            return TypedResults.Ok(new Dictionary<string, object?> { ["exists"] = false });
        }

        var resume = YamlJson.ToJsonShape(UserConfigFiles.Read(user, UserConfigFiles.ResumeYaml));
        resume["exists"] = true;
        return TypedResults.Ok(resume);
    }

    public static Results<Ok<OkResponse>, ProblemHttpResult> PutResume(JsonElement resume, UserContext user)
    {
        if (resume.ValueKind != JsonValueKind.Object)
        {
            return Problems.BadRequest("The resume must be a JSON object.");
        }

        if (resume.GetRawText().Length > MaxResumeBytes)
        {
            return Problems.BadRequest($"The resume is at most {MaxResumeBytes / 1024} KiB.");
        }

        var content = YamlJson.FromJson(resume);
        content.Remove("exists");
        UserConfigFiles.Write(user, UserConfigFiles.ResumeYaml, content);
        return TypedResults.Ok(OkResponse.Yes);
    }

    public static Ok<OkResponse> CreateBlankResume(UserContext user)
    {
        if (!UserConfigFiles.Exists(user, UserConfigFiles.ResumeYaml))
        {
            UserConfigFiles.Write(user, UserConfigFiles.ResumeYaml, new Dictionary<string, object?>());
        }

        return TypedResults.Ok(OkResponse.Yes);
    }

    public static Results<Ok<OkResponse>, ProblemHttpResult> SetTheme(ThemeChoice choice, UserContext user)
    {
        if (choice.Theme is not { } theme || !Themes.Contains(theme))
        {
            return Problems.BadRequest($"Invalid theme: {choice.Theme}");
        }

        var yaml = UserConfigFiles.Read(user, UserConfigFiles.UserYaml);
        yaml["theme"] = theme;
        UserConfigFiles.Write(user, UserConfigFiles.UserYaml, yaml);
        return TypedResults.Ok(OkResponse.Yes);
    }
}

public sealed record UserConfig(string Name);

public sealed record ThemeChoice(string? Theme);
