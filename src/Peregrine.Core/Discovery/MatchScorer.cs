using System.Globalization;

namespace Peregrine.Discovery;

/// <summary>
/// The match score of a listing against <c>resume_keywords.yaml</c>: the terms are the skills, domains and keywords
/// (each counted once); a term matches when its words occur consecutively, as whole words, case-insensitively, in the
/// title or the description. <c>match_score = round(100 × matched terms / all terms, 1)</c>, and
/// <c>keyword_gaps</c> lists the unmatched skills and keywords (not domains) in file order. With no terms the listing is
/// left unscored (null), as upstream leaves jobs its scorer has not seen.
/// </summary>
public static class MatchScorer
{
    public static (double? Score, string? Gaps) Score(ResumeKeywords keywords, string? title, string? description)
    {
        var terms = keywords.Skills.Concat(keywords.Domains).Concat(keywords.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (terms.Count == 0)
        {
            return (null, null);
        }

        var words = Words($"{title}\n{description}");
        var matched = terms.Where(t => Occurs(words, Words(t))).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var gaps = keywords.Skills.Concat(keywords.Keywords).Where(t => !matched.Contains(t)).Distinct(StringComparer.OrdinalIgnoreCase).Take(20);
        var score = Math.Round(100.0 * matched.Count / terms.Count, 1);
        return (score, string.Join(", ", gaps));
    }

    /// <summary>Lower-case words; <c>+</c>, <c>#</c> and inner dots belong to a word (C++, C#, Node.js, .NET).</summary>
    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '+' or '#' or '.')
            {
                current.Append(char.ToLower(c, CultureInfo.InvariantCulture));
                continue;
            }

            Flush();
        }

        Flush();
        return words;

        void Flush()
        {
            var word = current.ToString().TrimEnd('.');
            if (word.Length > 0)
            {
                words.Add(word);
            }

            current.Clear();
        }
    }

    private static bool Occurs(List<string> words, List<string> phrase)
    {
        if (phrase.Count == 0)
        {
            return false;
        }

        for (var i = 0; i + phrase.Count <= words.Count; i++)
        {
            var all = true;
            for (var j = 0; j < phrase.Count && all; j++)
            {
                all = words[i + j] == phrase[j];
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }
}
