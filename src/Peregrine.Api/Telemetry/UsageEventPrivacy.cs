using System.Text.Json;
using System.Text.RegularExpressions;

namespace Peregrine.Api.Telemetry;

/// <summary>
/// The no-PII rule for event metadata. An event is rejected (dropped whole, and counted) when, at any depth:
/// <list type="bullet">
/// <item>a key, lower-cased with everything but letters and digits removed, contains <c>mail</c>, <c>phone</c>,
/// <c>mobile</c> or <c>name</c> (catches <c>email</c>, <c>e_mail</c>, <c>phone_number</c>, <c>first_name</c>,
/// <c>userName</c>, also harmless ones like <c>company_name</c>: a false positive only loses one statistic);</item>
/// <item>a string value looks like an e-mail address (<c>something@something.tld</c>).</item>
/// </list>
/// Event types and app names are labels, not data: <c>snake_case</c> and slugs only.
/// </summary>
public static partial class UsageEventPrivacy
{
    private static readonly string[] PersonalKeyFragments = ["mail", "phone", "mobile", "name"];

    public static bool IsValidEventType(string eventType) => EventTypePattern().IsMatch(eventType);

    public static bool IsValidApp(string app) => AppPattern().IsMatch(app);

    public static bool ContainsPersonalData(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Any(p => IsPersonalKey(p.Name) || ContainsPersonalData(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(ContainsPersonalData),
        JsonValueKind.String => EmailPattern().IsMatch(element.GetString()!),
        _ => false,
    };

    public static bool IsPersonalKey(string key)
    {
        var folded = new string([.. key.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant)]);
        return PersonalKeyFragments.Any(fragment => folded.Contains(fragment, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"[^@\s]+@[^@\s]+\.[^@\s]+")]
    private static partial Regex EmailPattern();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex EventTypePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex AppPattern();
}
