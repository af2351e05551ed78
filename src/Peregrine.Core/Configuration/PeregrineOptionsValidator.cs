using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Peregrine.Configuration;

/// <summary>
/// Refuses to start cloud mode without its secrets: upstream silently used an empty key (and a shared
/// fallback DB) when they were missing. Each failure names the variable an operator has to set.
/// </summary>
public sealed partial class PeregrineOptionsValidator : IValidateOptions<PeregrineOptions>
{
    public ValidateOptionsResult Validate(string? name, PeregrineOptions options)
    {
        var failures = new List<string>();
        if (!AppSlugPattern().IsMatch(options.App))
        {
            failures.Add($"PEREGRINE_APP must be a lower-case slug (a-z, 0-9, '-'), got '{options.App}'");
        }

        if (options.CloudMode)
        {
            Require(options.DirectusJwtSecret, "DIRECTUS_JWT_SECRET", failures);
            Require(options.ServerSecret, "CF_SERVER_SECRET", failures);
            Require(options.CloudDataRoot, "CLOUD_DATA_ROOT", failures);
            RotationSettings.Check(options, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Require(string? value, string variable, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"CLOUD_MODE is on but {variable} is missing or empty");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex AppSlugPattern();
}
