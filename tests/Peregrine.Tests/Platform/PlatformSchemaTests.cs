using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Peregrine.Api.Platform;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Platform;

[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class PlatformSchemaTests(PostgresFixture postgres)
{
    [Fact]
    public async Task MigrationsRacingFromFourReplicasApplyEachFileOnce()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        var replicas = Enumerable.Range(0, 4).Select(_ => new PlatformSchema(dataSource, NullLogger<PlatformSchema>.Instance)).ToList();

        var applied = await Task.WhenAll(replicas.Select(r => r.MigrateAsync(CancellationToken.None))).WaitAsync(PlatformApi.Timeout);

        // Without the advisory lock two replicas would both see an empty history and one would fail on CREATE TABLE.
        Assert.Equal(PlatformSchema.Migrations.Count, applied.Sum());
        await using var connection = await dataSource.OpenConnectionAsync();
        var versions = await connection.QueryAsync<string>("SELECT version FROM platform_schema_migrations ORDER BY version");
        Assert.Equal(PlatformSchema.Migrations.Select(m => m.Version), versions);
        Assert.Equal(4, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('subscriptions', 'telemetry_consent', 'usage_events', 'support_access_grants')"));
    }

    [Fact]
    public async Task RunbookStatementsWorkVerbatimAndTheGdprDeleteCascades()
    {
        await (await PlatformApi.StartAsync(postgres)).DisposeAsync();
        var user = Guid.NewGuid();
        var other = Guid.NewGuid();
        await using var connection = await postgres.OpenAsync();
        foreach (var id in new[] { user, other })
        {
            await PlatformRows.SeedUserAsync(connection, id, events: 3, grants: 2, allDisabled: false, usageEvents: true);
        }

        // The runbook's "View telemetry consent for a user", "View recent usage events" and GDPR statements, as written.
        var consent = (await connection.QueryAsync($"SELECT * FROM telemetry_consent WHERE user_id = '{user}';")).ToList();
        var recent = (await connection.QueryAsync("""
            SELECT user_id, event_type, occurred_at FROM usage_events
            ORDER BY occurred_at DESC LIMIT 20;
            """)).Cast<IDictionary<string, object>>().ToList();
        var deleted = await connection.ExecuteAsync($"DELETE FROM subscriptions WHERE user_id = '{user}';");

        Assert.Single(consent);
        Assert.Contains(recent, row => (Guid)row["user_id"] == user);
        Assert.Equal(["user_id", "event_type", "occurred_at"], recent[0].Keys);
        Assert.Equal(1, deleted);
        Assert.Equal(PlatformRows.Empty, await PlatformRows.CountAsync(connection, user));
        Assert.Equal(new PlatformRows.Counts(1, 1, 3, 2), await PlatformRows.CountAsync(connection, other));
    }
}
