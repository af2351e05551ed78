using System.Text.RegularExpressions;

namespace Peregrine.Jobs;

/// <summary>
/// The canonical form of a job URL, the dedup key of <c>jobs.url</c>: tracking parameters and the fragment removed,
/// and every LinkedIn job link reduced to <c>https://www.linkedin.com/jobs/view/&lt;id&gt;/</c>, so the same listing pasted
/// from a share link, a search page or an email lands on one row.
/// </summary>
public static partial class JobUrl
{
    private static readonly HashSet<string> TrackingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_hsenc", "_hsmi",
        "ref", "refid", "ref_src", "trk", "trkinfo", "trackingid", "tracking_id",
        "lipi", "midtoken", "midsig", "eid", "otptoken", "ssid", "ebp", "recommendedflavor",
    };

    /// <summary>The canonical URL, or <c>null</c> when the input is not an absolute http(s) URL.</summary>
    public static string? Canonicalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input)
            || !Uri.TryCreate(input.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return null;
        }

        if (LinkedInJobId(uri) is { } jobId)
        {
            return $"https://www.linkedin.com/jobs/view/{jobId}/";
        }

        var kept = uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !IsTracking(Uri.UnescapeDataString(pair.Split('=', 2)[0])));
        var builder = new UriBuilder(uri) { Fragment = string.Empty, Query = string.Join('&', kept) };
        if (builder.Uri.IsDefaultPort)
        {
            builder.Port = -1;
        }

        return builder.Uri.AbsoluteUri;
    }

    private static bool IsTracking(string name) =>
        name.StartsWith("utm_", StringComparison.OrdinalIgnoreCase) || TrackingParameters.Contains(name);

    private static string? LinkedInJobId(Uri uri)
    {
        if (!uri.Host.Equals("linkedin.com", StringComparison.OrdinalIgnoreCase)
            && !uri.Host.EndsWith(".linkedin.com", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var view = LinkedInViewPath().Match(uri.AbsolutePath);
        if (view.Success)
        {
            return view.Groups["id"].Value;
        }

        // Search and collection pages carry the selected listing as ?currentJobId=<id>.
        var current = LinkedInCurrentJob().Match(uri.Query);
        return current.Success ? current.Groups["id"].Value : null;
    }

    // /jobs/view/<id>/ and the slugged share form /jobs/view/senior-engineer-at-acme-<id>/
    [GeneratedRegex(@"^/(?:comm/)?jobs/view/(?:[^/]*?-)?(?<id>\d+)/?$", RegexOptions.IgnoreCase)]
    private static partial Regex LinkedInViewPath();

    [GeneratedRegex(@"[?&]currentJobId=(?<id>\d+)(?:&|$)", RegexOptions.IgnoreCase)]
    private static partial Regex LinkedInCurrentJob();
}
