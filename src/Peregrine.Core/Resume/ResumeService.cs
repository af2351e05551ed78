using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Resume;

/// <summary>What an upload made: the saved profile, the file's format, and a note when AI structuring was asked for but not used.</summary>
public sealed record ResumeUploadResult(ResumeProfile Profile, ResumeFormat Format, bool Structured, string? Note);

/// <summary>
/// The Résumé page's and <see cref="ResumeApi"/>'s one service: read, save, start blank, and upload a file that is
/// parsed into the profile. Every change re-scores the user's jobs (a <c>score_jobs</c> task), so match scores and
/// keyword gaps always follow the résumé. Uploads are staged and parsed inside the user's own tree; the original is
/// kept as <c>data/resume-original.&lt;pdf|docx|odt&gt;</c>, which erasure removes with the tree.
/// </summary>
public sealed class ResumeService(ResumeParsing parsing, ResumeStructurer structurer, TasksService tasks, IOptions<ResumeOptions> options)
{
    public long MaxUploadBytes => options.Value.MaxUploadBytes;

    /// <summary>The résumé, or null before one was uploaded, written or started blank.</summary>
    public ResumeProfile? Read(UserContext user) => ResumeStore.Exists(user) ? ResumeStore.Read(user) : null;

    /// <summary>
    /// Why the stored résumé cannot be shown (a restored or hand-edited file that is not YAML we read), or null. Shown
    /// as empty, it would be saved over the file from an editor; so callers say this instead, and saving a new one
    /// replaces it.
    /// </summary>
    public string? Unreadable(UserContext user) => ResumeStore.Unreadable(user);

    /// <summary>When the kept original was last replaced, and in which format; null when none is kept.</summary>
    public (ResumeFormat Format, DateTimeOffset SavedAt)? Original(UserContext user)
    {
        var kept = Enum.GetValues<ResumeFormat>().Where(f => f != ResumeFormat.Unknown)
            .Select(f => (Format: f, File: new FileInfo(Path.Combine(user.DataDirectory, ResumeFormats.OriginalFileName(f)))))
            .Where(k => k.File.Exists)
            .OrderByDescending(k => k.File.LastWriteTimeUtc)
            .FirstOrDefault();
        return kept.File is null ? null : (kept.Format, new DateTimeOffset(kept.File.LastWriteTimeUtc, TimeSpan.Zero));
    }

    /// <summary>Saves the whole profile (upstream's PUT) and queues re-scoring; refused with the first problem.</summary>
    public async Task<Refusal?> SaveAsync(UserContext user, ResumeProfile profile, CancellationToken cancellationToken)
    {
        if (ResumeRules.Problem(profile) is { } problem)
        {
            return Refusal.BadRequest(problem);
        }

        ResumeStore.Write(user, ResumeRules.Tidy(profile));
        await RescoreAsync(user, cancellationToken);
        return null;
    }

    /// <summary>Upstream's <c>/resume/blank</c>: an empty résumé when there is none; an existing one is left alone.</summary>
    public void CreateBlank(UserContext user) => ResumeStore.CreateBlank(user);

    /// <summary>"Start over": the profile emptied (contact details kept), the kept original removed, jobs re-scored.</summary>
    public async Task StartOverAsync(UserContext user, CancellationToken cancellationToken)
    {
        var current = Read(user) ?? ResumeProfile.Empty;
        ResumeStore.Write(user, ResumeProfile.Empty with { Name = current.Name, Email = current.Email, Phone = current.Phone, LinkedinUrl = current.LinkedinUrl, City = current.City });
        foreach (var name in ResumeFormats.OriginalFileNames)
        {
            File.Delete(Path.Combine(user.DataDirectory, name));
        }

        await RescoreAsync(user, cancellationToken);
    }

    /// <summary>
    /// Reads a multipart upload (field <c>file</c>; <c>structure=true</c> asks for AI structuring) into the user's tree, parses it in the helper process and replaces
    /// the résumé with what it found: contact details where the file has them, and the experience, education, summary,
    /// skills, domains and keywords. Preferences the file cannot hold (salary, notice period, …) are kept.
    /// </summary>
    public async Task<Outcome<ResumeUploadResult>> UploadAsync(UserContext user, HttpContext http, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(user.DataDirectory);
        var staged = LegacyConversion.NewTempPath(user.Database.Path);
        var scratch = LegacyConversion.NewTempPath(user.Database.Path);
        try
        {
            var upload = await ResumeUpload.StageAsync(http, staged, MaxUploadBytes, cancellationToken);
            if (upload.Failure is { } refused)
            {
                return ResumeFailures.Refusal(refused, MaxUploadBytes);
            }

            OwnerOnlyDirectory(scratch);
            var (parsed, failure) = await parsing.ParseAsync(staged, scratch, cancellationToken);
            if (parsed is null)
            {
                return ResumeFailures.Refusal(failure ?? ResumeFailure.Unreadable, MaxUploadBytes);
            }

            parsed = parsed with { Profile = ResumeRules.Bounded(parsed.Profile) };
            var (profile, note) = upload.Structure ? await structurer.StructureAsync(user, parsed, cancellationToken) : (parsed.Profile, null);
            var saved = Replace(Read(user) ?? ResumeProfile.Empty, profile);
            ResumeStore.Write(user, saved);
            KeepOriginal(user, staged, parsed.Format);
            await RescoreAsync(user, cancellationToken);
            return new ResumeUploadResult(saved, parsed.Format, upload.Structure && note is null, note);
        }
        finally
        {
            File.Delete(staged);
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static ResumeProfile Replace(ResumeProfile current, ResumeProfile parsed)
    {
        static string Keep(string current, string found) => found.Length > 0 ? found : current;
        return current with
        {
            Name = Keep(current.Name, parsed.Name),
            Email = Keep(current.Email, parsed.Email),
            Phone = Keep(current.Phone, parsed.Phone),
            LinkedinUrl = Keep(current.LinkedinUrl, parsed.LinkedinUrl),
            City = Keep(current.City, parsed.City),
            CareerSummary = parsed.CareerSummary,
            Experience = parsed.Experience,
            Education = parsed.Education,
            Skills = parsed.Skills,
            Domains = parsed.Domains,
            Keywords = parsed.Keywords,
        };
    }

    /// <summary>The upload becomes the one kept original (by rename, inside the tree); any earlier one of another format goes.</summary>
    private static void KeepOriginal(UserContext user, string staged, ResumeFormat format)
    {
        var target = Path.Combine(user.DataDirectory, ResumeFormats.OriginalFileName(format));
        File.Move(staged, target, overwrite: true);
        foreach (var other in ResumeFormats.OriginalFileNames.Where(n => n != Path.GetFileName(target)))
        {
            File.Delete(Path.Combine(user.DataDirectory, other));
        }
    }

    private async Task RescoreAsync(UserContext user, CancellationToken cancellationToken) =>
        await tasks.StartAsync(user, TaskTypes.ScoreJobs, cancellationToken);

    private static void OwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
