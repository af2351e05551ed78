namespace Peregrine.Configuration;

/// <summary>
/// The settings of a secret rotation, checked at start-up so a typo stops the service instead of locking users out.
/// Messages name variables and key ids, never a secret.
/// </summary>
internal static class RotationSettings
{
    public static void Check(PeregrineOptions options, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(options.ServerSecret))
        {
            try
            {
                _ = new Storage.ServerKeyRing(options.ServerSecret, PeregrineOptions.SplitSecrets(options.PreviousServerSecrets));
            }
            catch (ArgumentException e)
            {
                failures.Add(e.Message);
            }
        }

        if (!string.IsNullOrWhiteSpace(options.PreviousDirectusJwtSecret) && options.PreviousJwtSecretExpiry() is null)
        {
            failures.Add("DIRECTUS_JWT_SECRET_PREVIOUS is set but DIRECTUS_JWT_SECRET_PREVIOUS_UNTIL is missing or not a UTC time (e.g. 2026-12-03T12:00:00Z)");
        }
    }
}
