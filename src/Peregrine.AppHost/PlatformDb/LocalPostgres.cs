using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Peregrine.AppHost.PlatformDb;

/// <summary>Debian's Postgres 15 as an executable resource that other resources reference like a database.</summary>
public sealed class LocalPostgresResource(string name, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, "bash", workingDirectory), IResourceWithConnectionString
{
    public ParameterResource Password { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password};Database={Name}");
}

public static class LocalPostgresExtensions
{
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, string dataDirectory, IResourceBuilder<ParameterResource> password)
    {
        var resource = new LocalPostgresResource(name, builder.AppHostDirectory, password.Resource);
        var healthCheckKey = $"{name}-accepts-connections";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new AcceptsConnections(resource), HealthStatus.Unhealthy, tags: null));

        return builder.AddResource(resource)
            .WithArgs(Path.Combine(builder.AppHostDirectory, "PlatformDb", "pg-run.sh"), dataDirectory)
            .WithEnvironment("PG_PASSWORD", password)
            .WithEnvironment("PG_DATABASE", name)
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "PGPORT")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>Healthy only once a real connection runs a query (a listening port is not enough during initdb).</summary>
    private sealed class AcceptsConnections(LocalPostgresResource resource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
                await using var connection = new NpgsqlConnection(connectionString + ";Timeout=2;Pooling=false");
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return HealthCheckResult.Unhealthy("postgres not accepting connections yet");
            }
        }
    }
}
