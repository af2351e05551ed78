using Peregrine.Jobs;
using Peregrine.Resume;
using Peregrine.Sessions;

namespace Peregrine.Settings;

/// <summary>One step of the first hour, with where to do it and whether the user's data says it is done.</summary>
public sealed record FirstRunStep(string Key, string Title, string Description, string Href, bool Done);

public sealed record FirstRunProgress(IReadOnlyList<FirstRunStep> Steps, bool Hidden)
{
    public FirstRunStep? Next => Steps.FirstOrDefault(s => !s.Done);

    public bool Complete => Next is null;

    public int NumberOf(string key) => Steps.Select((s, i) => (s, i)).First(p => p.s.Key == key).i + 1;
}

/// <summary>
/// The first-run path: profile → résumé → search preferences → jobs → review. Each step is done when the user's own
/// data says so (no wizard state to get out of step), so leaving halfway and coming back resumes where they are; a
/// user who wants the checklist gone can hide it (<c>first_run_hidden</c> in <c>user.yaml</c>).
/// </summary>
public sealed class FirstRunService(JobsService jobs)
{
    public const string Profile = "profile";
    public const string Resume = "resume";
    public const string Search = "search";
    public const string Jobs = "jobs";
    public const string Review = "review";

    private const string HiddenKey = "first_run_hidden";

    public async Task<FirstRunProgress> ProgressAsync(UserContext user, CancellationToken cancellationToken)
    {
        var profile = ProfileSettings.Read(user);
        var search = SearchSettings.Read(user);
        var counts = await jobs.CountAsync(user, cancellationToken);
        var hidden = string.Equals(UserConfigFiles.Read(user, UserConfigFiles.UserYaml).Text(HiddenKey), "true", StringComparison.OrdinalIgnoreCase);
        return new FirstRunProgress(
        [
            new(Profile, "Tell Peregrine who you are", "Your name, email and what kind of work matters to you.", "settings/profile",
                !string.IsNullOrWhiteSpace(profile.Name) && !string.IsNullOrWhiteSpace(profile.Email)),
            new(Resume, "Add your résumé", "Upload a PDF or Word file, or fill it in. Its skills and keywords score every job.", "settings/resume",
                ResumeStore.Exists(user) && ResumeStore.Read(user).HasContent),
            new(Search, "Say what you are looking for", "Job titles, places, the companies whose job boards to search, and what to avoid.", "settings/search",
                search.JobTitles?.Count > 0),
            new(Jobs, "Find jobs", "Search your companies' boards, or add listings by link or from a spreadsheet.", "#find",
                counts.Total > 0),
            new(Review, "Review your matches", "Approve or reject jobs, best match first.", "review",
                counts.Total - counts.Pending > 0),
        ], hidden);
    }

    public void SetHidden(UserContext user, bool hidden)
    {
        var yaml = UserConfigFiles.Read(user, UserConfigFiles.UserYaml);
        yaml[HiddenKey] = hidden;
        UserConfigFiles.Write(user, UserConfigFiles.UserYaml, yaml);
    }
}
