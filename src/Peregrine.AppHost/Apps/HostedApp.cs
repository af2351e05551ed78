using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Peregrine.AppHost.Apps;

/// <summary>
/// One app the cloud hosts (a menagerie app such as <c>peregrine</c> or <c>falcon</c>), served by the Api project with
/// <c>PEREGRINE_APP</c> set to its slug. Onboarding an app is a line in the AppHost's "Apps" list, not a code change.
/// </summary>
public sealed partial record HostedApp(string Slug, int Position)
{
    /// <summary>The first container port; the runbook's peregrine service listened on 8505.</summary>
    public const int FirstContainerPort = 8505;

    /// <summary>
    /// Peregrine keeps the resource name <c>api</c> that tests, docs and the dashboard already use; every other app
    /// gets <c>&lt;slug&gt;-api</c>.
    /// </summary>
    public string ResourceName => Slug == "peregrine" ? "api" : $"{Slug}-api";

    /// <summary>Its compose service: the runbook's commands (<c>logs app</c>, <c>build app</c>) name peregrine's <c>app</c>.</summary>
    public string ServiceName => Slug == "peregrine" ? "app" : ResourceName;

    /// <summary>Each app listens on its own port in a deployment. Append new apps so existing ports never move.</summary>
    public int ContainerPort => FirstContainerPort + Position;

    /// <summary>The Caddy placeholder holding this app's upstream address (host:port).</summary>
    public string UpstreamVariable => $"{Slug.Replace('-', '_').ToUpperInvariant()}_UPSTREAM";

    /// <summary>Reads the "Apps" list, failing fast (naming the entry) on a slug that is not a safe path segment.</summary>
    public static IReadOnlyList<HostedApp> ReadAll(IConfiguration configuration)
    {
        var slugs = configuration.GetSection("Apps").GetChildren()
            .OrderBy(entry => int.TryParse(entry.Key, out var index) ? index : int.MaxValue)
            .Select(entry => entry.Value ?? string.Empty)
            .ToList();
        if (slugs.Count == 0)
        {
            throw new InvalidOperationException("AppHost configuration lists no hosted apps: add \"Apps\": [\"peregrine\"] to appsettings.json");
        }

        foreach (var slug in slugs)
        {
            if (!SlugPattern().IsMatch(slug))
            {
                throw new InvalidOperationException($"Apps entry '{slug}' is not a slug (lower-case letters, digits and '-', starting with a letter)");
            }
        }

        var duplicate = slugs.GroupBy(slug => slug).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Apps lists '{duplicate.Key}' more than once");
        }

        return [.. slugs.Select((slug, position) => new HostedApp(slug, position))];
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,30}$")]
    private static partial Regex SlugPattern();
}
