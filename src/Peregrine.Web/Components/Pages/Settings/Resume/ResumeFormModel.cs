using Peregrine.Resume;

namespace Peregrine.Web.Components.Pages.Settings.Resume;

/// <summary>
/// The Résumé form as posted: the fields, one entry per job and per degree (plus an empty one to add), and the chips.
/// A chip is a checkbox that stays ticked to keep it, so removing one needs no script; new chips are typed in a box,
/// separated by commas.
/// </summary>
public sealed class ResumeFormModel
{
    public string? Name { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? LinkedinUrl { get; set; }

    public string? City { get; set; }

    public string? CareerSummary { get; set; }

    // A post without any entry of a list binds it as null, which is read as an empty list.
    public List<WorkEntryForm> Experience { get; set => field = value ?? []; } = [];

    public List<EducationForm> Education { get; set => field = value ?? []; } = [];

    public List<string> Skills { get; set => field = value ?? []; } = [];

    public List<string> Domains { get; set => field = value ?? []; } = [];

    public List<string> Keywords { get; set => field = value ?? []; } = [];

    public string? NewSkills { get; set; }

    public string? NewDomains { get; set; }

    public string? NewKeywords { get; set; }

    public static ResumeFormModel From(ResumeProfile profile) => new()
    {
        Name = profile.Name,
        Email = profile.Email,
        Phone = profile.Phone,
        LinkedinUrl = profile.LinkedinUrl,
        City = profile.City,
        CareerSummary = profile.CareerSummary,
        Experience = [.. profile.Experience.Select(e => new WorkEntryForm
        {
            Title = e.Title, Company = e.Company, Period = e.Period, Location = e.Location, Responsibilities = e.Responsibilities,
        }), new WorkEntryForm()],
        Education = [.. profile.Education.Select(e => new EducationForm
        {
            Degree = e.Degree, Field = e.Field, Institution = e.Institution, GraduationYear = e.GraduationYear,
        }), new EducationForm()],
        Skills = [.. profile.Skills],
        Domains = [.. profile.Domains],
        Keywords = [.. profile.Keywords],
    };

    /// <summary>
    /// The saved résumé with this form's changes: what the form does not show (preferences, industries and skills of
    /// each job) is kept from <paramref name="current"/>, entry by entry.
    /// </summary>
    public ResumeProfile ApplyTo(ResumeProfile current) => current with
    {
        Name = Name ?? string.Empty,
        Email = Email ?? string.Empty,
        Phone = Phone ?? string.Empty,
        LinkedinUrl = LinkedinUrl ?? string.Empty,
        City = City ?? string.Empty,
        CareerSummary = CareerSummary ?? string.Empty,
        Experience = [.. Experience.Select((e, i) => (Entry: e, Kept: current.Experience.ElementAtOrDefault(i) ?? new WorkEntry()))
            .Where(p => !p.Entry.Remove)
            .Select(p => p.Kept with
            {
                Title = p.Entry.Title ?? string.Empty,
                Company = p.Entry.Company ?? string.Empty,
                Period = p.Entry.Period ?? string.Empty,
                Location = p.Entry.Location ?? string.Empty,
                Responsibilities = p.Entry.Responsibilities ?? string.Empty,
            })],
        Education = [.. Education.Where(e => !e.Remove).Select(e => new EducationEntry
        {
            Degree = e.Degree ?? string.Empty,
            Field = e.Field ?? string.Empty,
            Institution = e.Institution ?? string.Empty,
            GraduationYear = e.GraduationYear ?? string.Empty,
        })],
        Skills = ResumeRules.Chips([.. Skills, .. ResumeRules.SplitChips(NewSkills)]),
        Domains = ResumeRules.Chips([.. Domains, .. ResumeRules.SplitChips(NewDomains)]),
        Keywords = ResumeRules.Chips([.. Keywords, .. ResumeRules.SplitChips(NewKeywords)]),
    };
}

public sealed class WorkEntryForm
{
    public string? Title { get; set; }

    public string? Company { get; set; }

    public string? Period { get; set; }

    public string? Location { get; set; }

    public string? Responsibilities { get; set; }

    public bool Remove { get; set; }
}

public sealed class EducationForm
{
    public string? Degree { get; set; }

    public string? Field { get; set; }

    public string? Institution { get; set; }

    public string? GraduationYear { get; set; }

    public bool Remove { get; set; }
}
