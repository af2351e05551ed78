using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Settings;

namespace Peregrine.Resume;

/// <summary>
/// Upstream's résumé endpoints (§6.9) in its paths and shapes, over <see cref="ResumeService"/>, which the Résumé page
/// calls too. An upload answers <c>{ok: true, data}</c>; a refused one is a problem whose body also carries upstream's
/// <c>{ok: false, error}</c>, so both a problem-aware client and upstream's SPA read it.
/// </summary>
public static class ResumeApi
{
    public static RouteGroupBuilder MapResume(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/settings/resume").RequireUser().WithTags("Settings");
        group.MapGet("", GetResume).WithName("GetResume");
        group.MapPut("", PutResume).WithName("PutResume");
        group.MapPost("/blank", CreateBlank).WithName("CreateBlankResume");
        // The upload is read by ResumeUpload (into the user's tree), not bound by the framework (into /tmp).
        group.MapPost("/upload", Upload).WithName("UploadResume").Accepts<IFormFile>("multipart/form-data");
        group.MapPost("/sync-identity", SyncIdentity).WithName("SyncResumeIdentity");
        return group;
    }

    public static IServiceCollection AddResume(this IServiceCollection services)
    {
        services.AddOptions<ResumeOptions>().BindConfiguration(ResumeOptions.SectionName);
        services.TryAddSingleton(new ResumeWorkerHost(Assembly.GetEntryAssembly()!));
        services.AddSingleton<ResumeParsing>();
        services.AddSingleton<ResumeStructurer>();
        services.AddSingleton<ResumeService>();
        return services;
    }

    /// <summary>The host whose <c>Main</c> runs the parsing helper (<see cref="ResumeWorker.IsInvoked"/> at its top).</summary>
    public static IServiceCollection AddResumeWorkerHost(this IServiceCollection services, Assembly host) =>
        services.Replace(ServiceDescriptor.Singleton(new ResumeWorkerHost(host)));

    public static Results<Ok<ResumeProfile>, Ok<NoResume>, ProblemHttpResult> GetResume(UserContext user, ResumeService resumes) =>
        resumes.Unreadable(user) is { } reason ? Problems.Conflict(reason)
        : resumes.Read(user) is { } profile ? TypedResults.Ok(profile)
        : TypedResults.Ok(new NoResume(false));

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> PutResume(
        ResumeProfile profile, UserContext user, ResumeService resumes, CancellationToken cancellationToken) =>
        await resumes.SaveAsync(user, profile, cancellationToken) is { } refused ? Problems.From(refused) : TypedResults.Ok(OkResponse.Yes);

    public static Ok<OkResponse> CreateBlank(UserContext user, ResumeService resumes)
    {
        resumes.CreateBlank(user);
        return TypedResults.Ok(OkResponse.Yes);
    }

    public static async Task<Results<Ok<UploadedResume>, ProblemHttpResult>> Upload(
        UserContext user, ResumeService resumes, HttpContext http, CancellationToken cancellationToken)
    {
        var (uploaded, refused) = await resumes.UploadAsync(user, http, cancellationToken);
        return uploaded is not null
            ? TypedResults.Ok(new UploadedResume(true, uploaded.Profile, uploaded.Format.ToString().ToLowerInvariant(), uploaded.Structured, uploaded.Note))
            : TypedResults.Problem(refused!.Detail, title: "The résumé could not be read", statusCode: refused.Status,
                extensions: new Dictionary<string, object?> { ["ok"] = false, ["error"] = refused.Detail, ["reason"] = refused.Title });
    }

    /// <summary>Upstream's identity sync: the résumé's name and contact details copied into the profile (<c>user.yaml</c>).</summary>
    public static Results<Ok<OkResponse>, ProblemHttpResult> SyncIdentity(IdentitySync identity, UserContext user)
    {
        var profile = ProfileSettings.Read(user) with
        {
            Name = identity.Name ?? string.Empty,
            Email = identity.Email ?? string.Empty,
            Phone = identity.Phone ?? string.Empty,
            LinkedinUrl = identity.LinkedinUrl ?? string.Empty,
        };
        if (ProfileSettings.Validate(profile) is { } problem)
        {
            return Problems.BadRequest(problem);
        }

        ProfileSettings.Write(user, profile);
        return TypedResults.Ok(OkResponse.Yes);
    }
}

/// <summary>Upstream's upload answer, <c>{ok, data}</c>, plus what the file was and whether AI structured it.</summary>
public sealed record UploadedResume(bool Ok, ResumeProfile Data, string Format, bool Structured, string? Note);

public sealed record IdentitySync(string? Name, string? Email, string? Phone, string? LinkedinUrl);
