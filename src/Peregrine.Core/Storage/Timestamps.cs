using System.Globalization;

namespace Peregrine.Storage;

/// <summary>
/// The one timestamp convention of user DBs: UTC ISO-8601 to the second (<c>2026-04-06T12:34:56Z</c>), the same text
/// the schema's <c>strftime('%Y-%m-%dT%H:%M:%SZ','now')</c> defaults produce, so stored values sort and compare as text.
/// Upstream mixed UTC and local times; this does not.
/// </summary>
public static class Timestamps
{
    public static string Format(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Now(TimeProvider time) => Format(time.GetUtcNow());

    /// <summary>A calendar date (<c>date_found</c>), in UTC.</summary>
    public static string Today(TimeProvider time) =>
        time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
