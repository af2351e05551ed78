using System.Reflection;
using Dapper;
using Npgsql;

namespace Peregrine.Api.Platform;

/// <summary>
/// Applies the numbered SQL files under <c>Platform/Migrations</c> (embedded) in order, each once, recorded in
/// <c>platform_schema_migrations</c>. Runs under a transaction-scoped advisory lock so replicas starting together
/// apply each file exactly once: the second waits, then sees the first one's rows.
/// </summary>
public sealed class PlatformSchema(NpgsqlDataSource dataSource, ILogger<PlatformSchema> logger)
{
    // Any constant shared by every replica works; this one spells "pereplat" in ASCII.
    private const long MigrationLockKey = 0x7065726570_6C6174;
    private const string ResourcePrefix = "Peregrine.Api.Platform.Migrations.";

    private readonly TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the schema is current in this process.</summary>
    public Task Applied => _applied.Task;

    public static IReadOnlyList<(string Version, string Sql)> Migrations { get; } = LoadMigrations();

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        const string prepare = """
            SELECT pg_advisory_xact_lock(@MigrationLockKey);
            CREATE TABLE IF NOT EXISTS platform_schema_migrations (
                version    text        PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """;
        const string appliedVersions = "SELECT version FROM platform_schema_migrations";
        const string record = "INSERT INTO platform_schema_migrations (version) VALUES (@version)";

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(prepare, new { MigrationLockKey }, transaction, cancellationToken: cancellationToken));
        var done = (await connection.QueryAsync<string>(new CommandDefinition(appliedVersions, transaction: transaction, cancellationToken: cancellationToken))).ToHashSet();
        var count = 0;
        foreach (var (version, sql) in Migrations.Where(m => !done.Contains(m.Version)))
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(record, new { version }, transaction, cancellationToken: cancellationToken));
            logger.LogInformation("Applied platform DB migration {Version}", version);
            count++;
        }

        await transaction.CommitAsync(cancellationToken);
        _applied.TrySetResult();
        return count;
    }

    private static List<(string Version, string Sql)> LoadMigrations()
    {
        var assembly = typeof(PlatformSchema).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[ResourcePrefix.Length..^".sql".Length], Read(assembly, n)))];
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>
/// Brings the schema up to date at start-up without holding the service hostage: a platform DB that is down only
/// degrades the service (telemetry drops, privacy answers 503), so this retries in the background until it succeeds.
/// </summary>
internal sealed class PlatformSchemaMigrator(PlatformSchema schema, TimeProvider clock, ILogger<PlatformSchemaMigrator> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await schema.MigrateAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Platform DB not reachable for migrations ({Kind}); retrying in {Delay}", e.GetType().Name, RetryDelay);
            }

            await Task.Delay(RetryDelay, clock, stoppingToken);
        }
    }
}
