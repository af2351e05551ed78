using Peregrine.Settings;

namespace Peregrine.Resume;

/// <summary>What a résumé profile may hold, and its tidy form (trimmed, LF line ends, chips once each).</summary>
public static class ResumeRules
{
    public const int MaxShortText = ProfileSettings.MaxShortText;
    public const int MaxLongText = ProfileSettings.MaxLongText;
    public const int MaxEntries = 50;
    public const int MaxChips = 100;
    public const int MaxChipLength = 100;

    /// <summary>The first problem, in words a person can act on; null when the profile is acceptable.</summary>
    public static string? Problem(ResumeProfile profile)
    {
        string?[] shortTexts =
        [
            profile.Name, profile.Email, profile.Phone, profile.LinkedinUrl, profile.Surname, profile.Address, profile.City,
            profile.ZipCode, profile.DateOfBirth, profile.NoticePeriod, profile.Gender, profile.Pronouns, profile.Ethnicity,
            profile.VeteranStatus, profile.Disability,
            .. profile.Experience.SelectMany(e => new[] { e.Title, e.Company, e.Period, e.Location, e.Industry }),
            .. profile.Education.SelectMany(e => new[] { e.Degree, e.Field, e.Institution, e.GraduationYear }),
        ];
        if (shortTexts.Any(t => t?.Length > MaxShortText))
        {
            return $"Names, titles, dates and contact details are at most {MaxShortText} characters each.";
        }

        if (profile.CareerSummary?.Length > MaxLongText || profile.Experience.Any(e => e.Responsibilities?.Length > MaxLongText))
        {
            return $"The summary and each job's responsibilities are at most {MaxLongText} characters.";
        }

        if (profile.Experience.Count > MaxEntries || profile.Education.Count > MaxEntries)
        {
            return $"At most {MaxEntries} jobs and {MaxEntries} degrees or courses.";
        }

        IReadOnlyList<string>?[] chips = [profile.Skills, profile.Domains, profile.Keywords, .. profile.Experience.Select(e => e.Skills)];
        if (chips.Any(list => list?.Count > MaxChips || list?.Any(c => c?.Length > MaxChipLength) == true))
        {
            return $"Skills, domains and keywords: at most {MaxChips} of each, {MaxChipLength} characters long.";
        }

        return profile.SalaryMin < 0 || profile.SalaryMax < 0 ? "Salaries cannot be negative." : null;
    }

    /// <summary>The profile as it is stored: text trimmed, empty entries dropped, chips deduplicated ignoring case.</summary>
    public static ResumeProfile Tidy(ResumeProfile profile) => profile with
    {
        Name = Clean(profile.Name),
        Email = Clean(profile.Email),
        Phone = Clean(profile.Phone),
        LinkedinUrl = Clean(profile.LinkedinUrl),
        Surname = Clean(profile.Surname),
        Address = Clean(profile.Address),
        City = Clean(profile.City),
        ZipCode = Clean(profile.ZipCode),
        DateOfBirth = Clean(profile.DateOfBirth),
        CareerSummary = Clean(profile.CareerSummary),
        NoticePeriod = Clean(profile.NoticePeriod),
        Gender = Clean(profile.Gender),
        Pronouns = Clean(profile.Pronouns),
        Ethnicity = Clean(profile.Ethnicity),
        VeteranStatus = Clean(profile.VeteranStatus),
        Disability = Clean(profile.Disability),
        Experience = [.. (profile.Experience ?? []).OfType<WorkEntry>().Select(e => e with
        {
            Title = Clean(e.Title),
            Company = Clean(e.Company),
            Period = Clean(e.Period),
            Location = Clean(e.Location),
            Industry = Clean(e.Industry),
            Responsibilities = Clean(e.Responsibilities),
            Skills = Chips(e.Skills),
        }).Where(e => e.Title.Length + e.Company.Length + e.Responsibilities.Length > 0)],
        Education = [.. (profile.Education ?? []).OfType<EducationEntry>().Select(e => e with
        {
            Degree = Clean(e.Degree),
            Field = Clean(e.Field),
            Institution = Clean(e.Institution),
            GraduationYear = Clean(e.GraduationYear),
        }).Where(e => e.Degree.Length + e.Institution.Length + e.Field.Length > 0)],
        Skills = Chips(profile.Skills),
        Domains = Chips(profile.Domains),
        Keywords = Chips(profile.Keywords),
    };

    /// <summary>A parse of a hostile file is cut to the limits rather than refused: what fits is still the user's résumé.</summary>
    public static ResumeProfile Bounded(ResumeProfile profile)
    {
        var tidy = Tidy(profile);
        return tidy with
        {
            Name = Cut(tidy.Name, MaxShortText),
            Email = Cut(tidy.Email, MaxShortText),
            Phone = Cut(tidy.Phone, MaxShortText),
            LinkedinUrl = Cut(tidy.LinkedinUrl, MaxShortText),
            City = Cut(tidy.City, MaxShortText),
            CareerSummary = Cut(tidy.CareerSummary, MaxLongText),
            Experience = [.. tidy.Experience.Take(MaxEntries).Select(e => e with
            {
                Title = Cut(e.Title, MaxShortText),
                Company = Cut(e.Company, MaxShortText),
                Period = Cut(e.Period, MaxShortText),
                Location = Cut(e.Location, MaxShortText),
                Industry = Cut(e.Industry, MaxShortText),
                Responsibilities = Cut(e.Responsibilities, MaxLongText),
                Skills = [.. e.Skills.Take(MaxChips).Select(s => Cut(s, MaxChipLength))],
            })],
            Education = [.. tidy.Education.Take(MaxEntries).Select(e => e with
            {
                Degree = Cut(e.Degree, MaxShortText),
                Field = Cut(e.Field, MaxShortText),
                Institution = Cut(e.Institution, MaxShortText),
                GraduationYear = Cut(e.GraduationYear, MaxShortText),
            })],
            Skills = [.. tidy.Skills.Take(MaxChips).Select(s => Cut(s, MaxChipLength))],
            Domains = [.. tidy.Domains.Take(MaxChips).Select(s => Cut(s, MaxChipLength))],
            Keywords = [.. tidy.Keywords.Take(MaxChips).Select(s => Cut(s, MaxChipLength))],
        };
    }

    /// <summary>Chips typed in a box: split on commas and new lines.</summary>
    public static IReadOnlyList<string> SplitChips(string? typed) =>
        (typed ?? string.Empty).Split([',', '\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static IReadOnlyList<string> Chips(IEnumerable<string?>? chips) =>
        [.. (chips ?? []).Select(c => Clean(c)).Where(c => c.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];

    private static string Clean(string? text) => ProfileSettings.Clean(text);

    private static string Cut(string text, int max) => text.Length > max ? text[..max] : text;
}
