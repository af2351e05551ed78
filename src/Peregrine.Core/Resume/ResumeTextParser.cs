using System.Text.RegularExpressions;
using Peregrine.Matching;

namespace Peregrine.Resume;

/// <summary>
/// The rule-based parse of a résumé's text into a profile (no AI): headings split the text into sections; the lines
/// before the first heading hold the name and contact details; an experience entry starts at a line with a date range
/// ("Jan 2020 – Present") and takes its title and company from that line or the one before; a line naming a degree
/// starts an education entry; the skills section is split on commas, bullets and slashes. Domains and keywords are the
/// known ones (<see cref="ResumeVocabulary"/>) that occur anywhere in the text. Made for a plain one-column résumé, as
/// word processors export them. It runs inside the parsing helper (<see cref="ResumeWorker"/>), under its time limit.
/// </summary>
public static partial class ResumeTextParser
{
    private const int MaxHeadingWords = 5;
    private const int MaxEntries = 30;
    private const int MaxChips = 60;

    public static ResumeProfile Parse(IReadOnlyList<string> rawLines)
    {
        var lines = rawLines.Select(Normalise).Where(l => l.Length > 0).ToList();
        var sections = Split(lines);
        var header = sections[ResumeSection.Header];
        // Headings are left out: the "Education" heading is not a domain the person worked in.
        var all = string.Join('\n', sections.Values.SelectMany(l => l));
        var skills = ParseSkills(sections[ResumeSection.Skills]);
        var experience = ParseExperience(sections[ResumeSection.Experience]);
        if (skills.Count == 0)
        {
            skills = Known(all, ResumeVocabulary.Skills);
        }

        return new ResumeProfile
        {
            Name = FindName(header) ?? string.Empty,
            Email = EmailPattern().Match(all) is { Success: true } email ? email.Value : string.Empty,
            Phone = FindPhone(header.Count > 0 ? string.Join('\n', header) : all) ?? FindPhone(all) ?? string.Empty,
            LinkedinUrl = LinkedinPattern().Match(all) is { Success: true } linkedin ? "https://www." + linkedin.Groups["path"].Value.TrimEnd('/') : string.Empty,
            City = FindCity(header) ?? string.Empty,
            CareerSummary = string.Join(' ', sections[ResumeSection.Summary]),
            Experience = experience,
            Education = ParseEducation(sections[ResumeSection.Education]),
            Skills = skills,
            Domains = Known(all, ResumeVocabulary.Domains),
            Keywords = Known(all, ResumeVocabulary.Keywords),
        };
    }

    private static string Normalise(string line) => Spaces().Replace(line.Replace('\t', ' '), " ").Trim();

    private static Dictionary<ResumeSection, List<string>> Split(List<string> lines)
    {
        var sections = Enum.GetValues<ResumeSection>().ToDictionary(s => s, _ => new List<string>());
        var current = ResumeSection.Header;
        foreach (var line in lines)
        {
            if (Heading(line) is { } section)
            {
                current = section;
                continue;
            }

            sections[current].Add(line);
        }

        return sections;
    }

    private static ResumeSection? Heading(string line)
    {
        var words = line.Trim(' ', ':', '-', '–', '—', '|', '•', '#', '*', '_').Trim();
        if (words.Length == 0 || words.Split(' ').Length > MaxHeadingWords)
        {
            return null;
        }

        return ResumeVocabulary.Headings.TryGetValue(words, out var section) ? section : null;
    }

    private static string? FindName(List<string> header)
    {
        foreach (var line in header.Take(5))
        {
            foreach (var part in Separators().Split(line))
            {
                var candidate = part.Trim(' ', ',', '.');
                var words = candidate.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length is >= 2 and <= 5 && candidate.Length <= 60
                    && candidate.All(c => char.IsLetter(c) || c is ' ' or '-' or '\'' or '’' or '.')
                    && Heading(candidate) is null && !ResumeVocabulary.InstitutionWords.Any(w => candidate.Contains(w, StringComparison.OrdinalIgnoreCase)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static string? FindPhone(string text)
    {
        foreach (Match match in PhonePattern().Matches(text))
        {
            var digits = match.Value.Count(char.IsAsciiDigit);
            if (digits is >= 9 and <= 15 && !DateRange().IsMatch(match.Value))
            {
                return match.Value.Trim();
            }
        }

        return null;
    }

    /// <summary>"Berlin, Germany" or "Austin, TX" in the contact lines: two or three short words around a comma, no digits.</summary>
    private static string? FindCity(List<string> header) =>
        header.Take(6)
            .SelectMany(line => Separators().Split(line))
            .Select(part => part.Trim())
            .FirstOrDefault(part => part.Contains(',', StringComparison.Ordinal) && part.Length <= 40 && part.Split(' ').Length <= 4
                && part.All(c => char.IsLetter(c) || c is ' ' or ',' or '-' or '.'));

    private static List<WorkEntry> ParseExperience(List<string> lines)
    {
        var entries = new List<(string Header, string Period, List<string> Body)>();
        var pending = new List<string>();
        foreach (var line in lines)
        {
            var range = DateRange().Match(line);
            if (!range.Success)
            {
                (entries.Count > 0 ? entries[^1].Body : pending).Add(line);
                continue;
            }

            // The title and company are on this line, or on the lines just before it that were not bullets.
            var sameLine = line.Remove(range.Index, range.Length).Trim(' ', ',', '|', '-', '–', '—', '(', ')', '·', '•');
            var before = entries.Count > 0 ? TakeHeaderLines(entries[^1].Body) : pending;
            var header = sameLine.Length > 0 && before.Count == 0 ? sameLine : string.Join(" | ", before.Append(sameLine).Where(s => s.Length > 0));
            pending = [];
            entries.Add((header, Period(range), []));
            if (entries.Count >= MaxEntries)
            {
                break;
            }
        }

        return [.. entries.Select(e => ToWorkEntry(e.Header, e.Period, e.Body))];
    }

    /// <summary>At most two trailing lines of the previous entry that read like a heading (short, no bullet, no full stop).</summary>
    private static List<string> TakeHeaderLines(List<string> body)
    {
        var taken = new List<string>();
        while (taken.Count < 2 && body.Count > 0 && body[^1] is var last
               && !BulletPrefix().IsMatch(last) && !last.EndsWith('.') && last.Split(' ').Length <= 10)
        {
            taken.Insert(0, last);
            body.RemoveAt(body.Count - 1);
        }

        return taken;
    }

    private static WorkEntry ToWorkEntry(string header, string period, List<string> body)
    {
        var parts = EntrySeparators().Split(header).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        var title = parts.ElementAtOrDefault(0) ?? string.Empty;
        var company = parts.ElementAtOrDefault(1) ?? string.Empty;
        var location = parts.ElementAtOrDefault(2) ?? string.Empty;
        if (title.Split(" at ", 2) is [var role, var employer] && company.Length == 0)
        {
            (title, company) = (role.Trim(), employer.Trim());
        }

        return new WorkEntry
        {
            Title = title,
            Company = company,
            Location = location,
            Period = period,
            Responsibilities = string.Join('\n', body.Select(l => BulletPrefix().Replace(l, string.Empty).Trim()).Where(l => l.Length > 0)),
        };
    }

    private static string Period(Match range) => $"{range.Groups["start"].Value.Trim()} – {Capitalise(range.Groups["end"].Value.Trim())}";

    private static string Capitalise(string text) => text.Length > 0 && char.IsLower(text[0]) ? char.ToUpperInvariant(text[0]) + text[1..] : text;

    private static List<EducationEntry> ParseEducation(List<string> lines)
    {
        var entries = new List<EducationEntry>();
        string? previous = null;
        for (var i = 0; i < lines.Count && entries.Count < MaxEntries; i++)
        {
            var line = lines[i];
            if (!NamesADegree(line))
            {
                previous = line;
                continue;
            }

            var parts = EntrySeparators().Split(YearPattern().Replace(line, string.Empty)).Select(p => p.Trim(' ', ',', '(', ')')).Where(p => p.Length > 0).ToList();
            var degree = parts.FirstOrDefault(NamesADegree) ?? line;
            var institution = parts.FirstOrDefault(IsInstitution)
                ?? (previous is not null && IsInstitution(previous) ? previous : null)
                ?? (i + 1 < lines.Count && IsInstitution(lines[i + 1]) ? lines[i + 1] : null)
                ?? parts.FirstOrDefault(p => p != degree)
                ?? string.Empty;
            var year = YearPattern().Matches(line).LastOrDefault()?.Value
                ?? (i + 1 < lines.Count ? YearPattern().Matches(lines[i + 1]).LastOrDefault()?.Value : null)
                ?? string.Empty;
            var (name, field) = SplitDegree(degree);
            entries.Add(new EducationEntry { Degree = name, Field = field, Institution = YearPattern().Replace(institution, string.Empty).Trim(' ', ',', '–', '-'), GraduationYear = year });
            previous = null;
        }

        return entries;
    }

    /// <summary>"BSc Computer Science" → ("BSc", "Computer Science"); "Master of Science in Physics" → ("Master of Science", "Physics").</summary>
    private static (string Degree, string Field) SplitDegree(string degree)
    {
        var marker = degree.IndexOf(" in ", StringComparison.OrdinalIgnoreCase);
        if (marker > 0)
        {
            return (degree[..marker].Trim(), degree[(marker + 4)..].Trim());
        }

        var words = degree.Split(' ', 2);
        return words.Length == 2 && ResumeVocabulary.DegreeWords.Contains(words[0].TrimEnd('.').ToLowerInvariant())
            ? (words[0], words[1].Trim())
            : (degree, string.Empty);
    }

    private static bool NamesADegree(string text)
    {
        var words = MatchScorer.Words(text);
        return words.Count > 0 && ResumeVocabulary.DegreeWords.Any(d => words.Contains(d.Replace(".", string.Empty, StringComparison.Ordinal)) || words.Contains(d));
    }

    private static bool IsInstitution(string text) => ResumeVocabulary.InstitutionWords.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));

    private static List<string> ParseSkills(List<string> lines)
    {
        var skills = new List<string>();
        foreach (var line in lines)
        {
            // "Languages: Python, Go" keeps the items, not the label.
            var items = line.Contains(':', StringComparison.Ordinal) ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..] : line;
            foreach (var item in SkillSeparators().Split(items))
            {
                var skill = BulletPrefix().Replace(item, string.Empty).Trim(' ', '.', '(', ')', '-', '–', '*');
                if (skill.Length is >= 1 and <= 50 && skill.Split(' ').Length <= 5 && skill.Any(char.IsLetter))
                {
                    skills.Add(skill);
                }
            }
        }

        return [.. skills.Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxChips)];
    }

    /// <summary>
    /// The terms of <paramref name="vocabulary"/> that occur as whole words in <paramref name="text"/> (as the scorer
    /// matches them), in the order the text mentions them.
    /// </summary>
    private static List<string> Known(string text, IReadOnlyList<string> vocabulary)
    {
        var words = MatchScorer.Words(text);
        return
        [
            .. vocabulary.Select(term => (Term: term, At: MatchScorer.FirstOccurrence(words, MatchScorer.Words(term))))
                .Where(found => found.At >= 0)
                .OrderBy(found => found.At)
                .Select(found => found.Term)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Take(MaxChips),
        ];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    /// <summary>What separates the parts of a contact line ("Jane Doe | Berlin, Germany | jane@example.com").</summary>
    [GeneratedRegex(@"\s*(?:\||•|·|\u2022|—|–|\s{2,})\s*")]
    private static partial Regex Separators();

    /// <summary>What separates title, company and place in an entry's heading.</summary>
    [GeneratedRegex(@"\s*(?:\||•|·|—|–|\s-\s|,\s|\s@\s)\s*")]
    private static partial Regex EntrySeparators();

    /// <summary>Commas, semicolons, bars, bullets, and a slash between spaces ("Go / Rust", never "CI/CD").</summary>
    [GeneratedRegex(@"\s*(?:,|;|\||•|·)\s*|\s+/\s+")]
    private static partial Regex SkillSeparators();

    [GeneratedRegex(@"^(?:[•\-–—*◦▪▸►‣·]|\d{1,2}[.)])\s*")]
    private static partial Regex BulletPrefix();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,200}\.[A-Za-z]{2,24}")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\+?\(?\d[\d ().-]{7,20}\d")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"(?:https?://)?(?:[a-z]{2,3}\.)?(?<path>linkedin\.com/in/[A-Za-z0-9_%-]{1,100}/?)", RegexOptions.IgnoreCase)]
    private static partial Regex LinkedinPattern();

    [GeneratedRegex(@"\b(?:19|20)\d{2}\b")]
    private static partial Regex YearPattern();

    private const string Month = @"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";
    private const string When = @"(?:" + Month + @"\s+(?:19|20)\d{2}|\d{1,2}/(?:19|20)\d{2}|(?:19|20)\d{2})";

    [GeneratedRegex(@"(?<start>" + When + @")\s*(?:-|–|—|to|until)\s*(?<end>" + When + @"|present|current|now|today)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DateRange();
}
