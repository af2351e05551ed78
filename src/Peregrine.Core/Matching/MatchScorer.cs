using System.Globalization;
using Peregrine.Discovery;

namespace Peregrine.Matching;

/// <summary>A job's score against the résumé, with its explanation: the terms its text mentions and the ones it lacks.</summary>
public sealed record MatchResult(double? Score, string? Gaps, string? Matched)
{
    public static readonly MatchResult Unscored = new(null, null, null);
}

/// <summary>
/// The match score of a job against the résumé's terms (<c>config/resume_keywords.yaml</c>): the skills, domains and
/// keywords, each counted once. A term matches when its words occur consecutively, as whole words, case-insensitively,
/// in the title or the description. <c>match_score = round(100 × matched terms / all terms, 1)</c>;
/// <c>matched_keywords</c> lists the matched terms and <c>keyword_gaps</c> the unmatched skills and keywords (domains
/// describe a background rather than something to add), both in the résumé's order. With no terms the job is left
/// unscored (null), as upstream leaves jobs its scorer has not seen.
/// </summary>
public static class MatchScorer
{
    public const int MaxListed = 20;

    public static MatchResult Score(ResumeKeywords keywords, string? title, string? description)
    {
        var terms = keywords.Skills.Concat(keywords.Domains).Concat(keywords.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (terms.Count == 0)
        {
            return MatchResult.Unscored;
        }

        var words = Words($"{title}\n{description}");
        var matched = terms.Where(t => Occurs(words, Words(t))).ToList();
        var found = matched.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var gaps = keywords.Skills.Concat(keywords.Keywords).Where(t => !found.Contains(t)).Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxListed);
        var score = Math.Round(100.0 * matched.Count / terms.Count, 1);
        return new MatchResult(score, string.Join(", ", gaps), string.Join(", ", matched.Take(MaxListed)));
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

    internal static bool Occurs(List<string> words, List<string> phrase) => FirstOccurrence(words, phrase) >= 0;

    /// <summary>Where <paramref name="phrase"/> first occurs in <paramref name="words"/> as consecutive words; -1 when it does not.</summary>
    internal static int FirstOccurrence(List<string> words, List<string> phrase)
    {
        if (phrase.Count == 0)
        {
            return -1;
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
                return i;
            }
        }

        return -1;
    }
}
