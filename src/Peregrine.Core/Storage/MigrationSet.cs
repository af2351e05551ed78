using System.Reflection;

namespace Peregrine.Storage;

/// <summary>One numbered schema step: <see cref="Version"/> is the file stem (<c>001_baseline</c>), as upstream records it.</summary>
public sealed record Migration(string Version, string Sql);

/// <summary>
/// The ordered schema steps every user DB is brought up to. Production uses <see cref="Embedded"/> (the
/// <c>Storage/Migrations/*.sql</c> files compiled into this assembly); tests build their own to add a later or broken step.
/// </summary>
public sealed class MigrationSet
{
    private const string ResourcePrefix = "Peregrine.Storage.Migrations.";

    public MigrationSet(IEnumerable<Migration> migrations)
    {
        Migrations = [.. migrations.OrderBy(m => m.Version, StringComparer.Ordinal)];
        var duplicate = Migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Migration {duplicate.Key} appears twice.", nameof(migrations));
        }
    }

    public IReadOnlyList<Migration> Migrations { get; }

    /// <summary>The newest version, i.e. what a fully migrated DB records last.</summary>
    public string? LatestVersion => Migrations.Count == 0 ? null : Migrations[^1].Version;

    public static MigrationSet Embedded { get; } = FromAssembly(typeof(MigrationSet).Assembly);

    public MigrationSet With(params Migration[] more) => new(Migrations.Concat(more));

    public static MigrationSet FromDirectory(string directory) =>
        new(Directory.EnumerateFiles(directory, "*.sql")
            .Select(file => new Migration(Path.GetFileNameWithoutExtension(file), File.ReadAllText(file))));

    private static MigrationSet FromAssembly(Assembly assembly) =>
        new(assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                return new Migration(name[ResourcePrefix.Length..^".sql".Length], reader.ReadToEnd());
            }));
}
