using System.Globalization;
using Peregrine.Discovery;
using Peregrine.Sessions;
using Peregrine.Settings;
using Peregrine.Yaml;

namespace Peregrine.Resume;

/// <summary>
/// The résumé on disk: <c>config/plain_text_resume.yaml</c> in upstream's keys, and the skills, domains and keywords
/// also in <c>config/resume_keywords.yaml</c>, the file every job is scored against. Both are written together, so
/// what the Résumé page shows is what scoring uses. Other keys of the résumé file (an AIHawk-style file's extras) are
/// kept. Reading accepts upstream's older shapes: <c>bullets</c> and <c>start_date</c>/<c>end_date</c> per entry,
/// <c>summary</c>, and education with <c>school</c> and <c>year</c>.
/// </summary>
public static class ResumeStore
{
    public const string KeywordsFile = DiscoveryConfig.KeywordsFile;

    public static bool Exists(UserContext user) => UserConfigFiles.Exists(user, UserConfigFiles.ResumeYaml);

    public static string? Unreadable(UserContext user)
    {
        try
        {
            UserConfigFiles.ReadOrThrow(user, UserConfigFiles.ResumeYaml);
            return null;
        }
        catch (InvalidYamlException e)
        {
            return $"{e.Message}, so your résumé cannot be shown. Save a new one, or restore it from a backup.";
        }
    }

    public static ResumeProfile Read(UserContext user)
    {
        var yaml = UserConfigFiles.Read(user, UserConfigFiles.ResumeYaml);
        var keywords = UserConfigFiles.Read(user, KeywordsFile);
        var fromKeywords = keywords.TextList("skills").Count + keywords.TextList("domains").Count + keywords.TextList("keywords").Count > 0;
        var lists = fromKeywords ? keywords : yaml;
        return new ResumeProfile
        {
            Name = yaml.Text("name") ?? string.Empty,
            Email = yaml.Text("email") ?? string.Empty,
            Phone = yaml.Text("phone") ?? string.Empty,
            LinkedinUrl = yaml.Text("linkedin_url") ?? yaml.Text("linkedin") ?? string.Empty,
            Surname = yaml.Text("surname") ?? string.Empty,
            Address = yaml.Text("address") ?? string.Empty,
            City = yaml.Text("city") ?? string.Empty,
            ZipCode = yaml.Text("zip_code") ?? string.Empty,
            DateOfBirth = yaml.Text("date_of_birth") ?? string.Empty,
            CareerSummary = yaml.Text("career_summary") ?? yaml.Text("summary") ?? string.Empty,
            Experience = [.. Maps(yaml, "experience").Select(ReadWorkEntry)],
            Education = [.. Maps(yaml, "education").Select(ReadEducation)],
            SalaryMin = Number(yaml.Text("salary_min")),
            SalaryMax = Number(yaml.Text("salary_max")),
            NoticePeriod = yaml.Text("notice_period") ?? string.Empty,
            Remote = Flag(yaml.Text("remote")),
            Relocation = Flag(yaml.Text("relocation")),
            Assessment = Flag(yaml.Text("assessment")),
            BackgroundCheck = Flag(yaml.Text("background_check")),
            Gender = yaml.Text("gender") ?? string.Empty,
            Pronouns = yaml.Text("pronouns") ?? string.Empty,
            Ethnicity = yaml.Text("ethnicity") ?? string.Empty,
            VeteranStatus = yaml.Text("veteran_status") ?? string.Empty,
            Disability = yaml.Text("disability") ?? string.Empty,
            Skills = lists.TextList("skills"),
            Domains = lists.TextList("domains"),
            Keywords = lists.TextList("keywords"),
        };
    }

    public static void Write(UserContext user, ResumeProfile profile)
    {
        var yaml = UserConfigFiles.Read(user, UserConfigFiles.ResumeYaml);
        foreach (var legacy in new[] { "linkedin", "summary" })
        {
            yaml.Remove(legacy);
        }

        yaml["name"] = profile.Name;
        yaml["email"] = profile.Email;
        yaml["phone"] = profile.Phone;
        yaml["linkedin_url"] = profile.LinkedinUrl;
        yaml["surname"] = profile.Surname;
        yaml["address"] = profile.Address;
        yaml["city"] = profile.City;
        yaml["zip_code"] = profile.ZipCode;
        yaml["date_of_birth"] = profile.DateOfBirth;
        yaml["career_summary"] = profile.CareerSummary;
        yaml["experience"] = profile.Experience.Select(e => new Dictionary<string, object?>
        {
            ["title"] = e.Title,
            ["company"] = e.Company,
            ["period"] = e.Period,
            ["location"] = e.Location,
            ["industry"] = e.Industry,
            ["responsibilities"] = e.Responsibilities,
            ["skills"] = e.Skills.ToList(),
        }).ToList();
        yaml["education"] = profile.Education.Select(e => new Dictionary<string, object?>
        {
            ["degree"] = e.Degree,
            ["field"] = e.Field,
            ["institution"] = e.Institution,
            ["graduation_year"] = e.GraduationYear,
        }).ToList();
        yaml["salary_min"] = profile.SalaryMin;
        yaml["salary_max"] = profile.SalaryMax;
        yaml["notice_period"] = profile.NoticePeriod;
        yaml["remote"] = profile.Remote;
        yaml["relocation"] = profile.Relocation;
        yaml["assessment"] = profile.Assessment;
        yaml["background_check"] = profile.BackgroundCheck;
        yaml["gender"] = profile.Gender;
        yaml["pronouns"] = profile.Pronouns;
        yaml["ethnicity"] = profile.Ethnicity;
        yaml["veteran_status"] = profile.VeteranStatus;
        yaml["disability"] = profile.Disability;
        yaml["skills"] = profile.Skills.ToList();
        yaml["domains"] = profile.Domains.ToList();
        yaml["keywords"] = profile.Keywords.ToList();
        UserConfigFiles.Write(user, UserConfigFiles.ResumeYaml, yaml);

        var keywords = UserConfigFiles.Read(user, KeywordsFile);
        keywords["skills"] = profile.Skills.ToList();
        keywords["domains"] = profile.Domains.ToList();
        keywords["keywords"] = profile.Keywords.ToList();
        UserConfigFiles.Write(user, KeywordsFile, keywords);
    }

    /// <summary>Upstream's blank résumé (<c>{}</c>), written only when there is none.</summary>
    public static bool CreateBlank(UserContext user)
    {
        if (Exists(user))
        {
            return false;
        }

        UserConfigFiles.Write(user, UserConfigFiles.ResumeYaml, new Dictionary<string, object?>());
        return true;
    }

    private static IEnumerable<IReadOnlyDictionary<string, object?>> Maps(Dictionary<string, object?> yaml, string key) =>
        yaml.TryGetValue(key, out var value) && value is List<object?> items
            ? items.OfType<IDictionary<object, object?>>().Select(m => (IReadOnlyDictionary<string, object?>)m.ToDictionary(p => p.Key.ToString() ?? string.Empty, p => p.Value))
            : [];

    private static WorkEntry ReadWorkEntry(IReadOnlyDictionary<string, object?> entry)
    {
        var responsibilities = entry.Text("responsibilities");
        if (string.IsNullOrEmpty(responsibilities))
        {
            var bullets = entry.TextList("bullets");
            responsibilities = bullets.Count > 0 ? string.Join('\n', bullets) : entry.Text("bullets") ?? string.Empty;
        }

        var period = entry.Text("period");
        if (string.IsNullOrEmpty(period))
        {
            period = string.Join(" – ", new[] { entry.Text("start_date"), entry.Text("end_date") }.Where(s => !string.IsNullOrEmpty(s)));
        }

        return new WorkEntry
        {
            Title = entry.Text("title") ?? entry.Text("position") ?? string.Empty,
            Company = entry.Text("company") ?? string.Empty,
            Period = period,
            Location = entry.Text("location") ?? string.Empty,
            Industry = entry.Text("industry") ?? string.Empty,
            Responsibilities = responsibilities,
            Skills = entry.TextList("skills"),
        };
    }

    private static EducationEntry ReadEducation(IReadOnlyDictionary<string, object?> entry) => new()
    {
        Degree = entry.Text("degree") ?? entry.Text("education_level") ?? string.Empty,
        Field = entry.Text("field") ?? entry.Text("field_of_study") ?? string.Empty,
        Institution = entry.Text("institution") ?? entry.Text("school") ?? string.Empty,
        GraduationYear = entry.Text("graduation_year") ?? entry.Text("year") ?? entry.Text("year_of_completion") ?? string.Empty,
    };

    private static long Number(string? text) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static bool Flag(string? text) => bool.TryParse(text, out var on) && on;
}
