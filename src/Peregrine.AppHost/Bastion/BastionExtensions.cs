namespace Peregrine.AppHost.Bastion;

/// <summary>The Caddy bastion in front of the API, in run mode Debian's caddy as an executable resource.</summary>
public static class BastionExtensions
{
    public static IResourceBuilder<ExecutableResource> AddLocalBastion(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ProjectResource> api, string stateDirectory)
    {
        var configDirectory = Path.Combine(builder.AppHostDirectory, "Bastion");
        var caddyHome = Path.Combine(stateDirectory, "caddy");
        var logFile = Path.Combine(stateDirectory, "logs", "bastion-access.log");
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);

        return builder.AddExecutable(name, "caddy", configDirectory, "run", "--config", "Caddyfile", "--adapter", "caddyfile")
            .WithHttpEndpoint(name: "http", env: "BASTION_PORT")
            .WithEnvironment("BASTION_BIND", "127.0.0.1")
            .WithEnvironment("PEREGRINE_UPSTREAM", ReferenceExpression.Create($"{api.GetEndpoint("http").Property(EndpointProperty.HostAndPort)}"))
            .WithEnvironment("BASTION_LOG_FILE", logFile)
            // Caddy autosaves its config under XDG dirs even with the admin API off; keep that out of $HOME.
            .WithEnvironment("XDG_CONFIG_HOME", caddyHome)
            .WithEnvironment("XDG_DATA_HOME", caddyHome)
            .WithHttpHealthCheck("/healthz");
    }
}
