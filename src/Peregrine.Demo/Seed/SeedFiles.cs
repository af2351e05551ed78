using System.Security.Cryptography;
using System.Text;
using Peregrine.Storage;

namespace Peregrine.Demo.Seed;

/// <summary>
/// The seed as it ships: the files under <c>Seed/</c>, embedded in the assembly. Its version is a hash of those bytes
/// and of the schema they are loaded into, so changing any seed file (or adding a migration) yields a new template
/// and nothing else has to be bumped by hand.
/// </summary>
internal static class SeedFiles
{
    private const string Prefix = "Peregrine.Demo.Seed/";

    /// <summary>Bumped when the loader itself changes meaning (e.g. a column it fills).</summary>
    private const string LoaderFormat = "seed-loader-1";

    public const string Jobs = "demo-jobs.json";
    public const string Activity = "demo-activity.json";

    /// <summary>Relative paths (<c>config/user.yaml</c>, …) of every seed file.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. typeof(SeedFiles).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(name => name[Prefix.Length..])
            .Order(StringComparer.Ordinal)];

    public static IEnumerable<string> ConfigNames => Names.Where(name => name.StartsWith("config/", StringComparison.Ordinal));

    public static Stream Open(string name) =>
        typeof(SeedFiles).Assembly.GetManifestResourceStream(Prefix + name)
        ?? throw new InvalidOperationException($"seed file {name} is not embedded in the demo assembly");

    public static byte[] Read(string name)
    {
        using var stream = Open(name);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>16 hex digits of SHA-256 over the loader format, the schema version and every seed file.</summary>
    public static string Version()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add(LoaderFormat);
        Add(MigrationSet.Embedded.LatestVersion ?? string.Empty);
        foreach (var name in Names)
        {
            Add(name);
            hash.AppendData(Read(name));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
