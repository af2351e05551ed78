using Peregrine.AppHost.Publishing;

namespace Peregrine.AppHost.Bastion;

/// <summary>An app the bastion routes to and the services that serve it (its shards; any of them takes any request).</summary>
public sealed record BastionUpstream(BastionRoute Route, IReadOnlyList<IResourceBuilder<ProjectResource>> Services);

/// <summary>The Caddy bastion: Debian's caddy as an executable in run mode, the caddy container in a deployment.</summary>
public static class BastionExtensions
{
    /// <summary>The apps' own variable (see TrustedProxies in the Api): who may set X-Forwarded-For and -Proto.</summary>
    public const string TrustedProxiesVariable = "TRUSTED_PROXIES";

    private const string TrustedProxiesParameter = "trusted-proxies";
    private const string ConfigMountPath = "/etc/caddy";
    private const int ContainerPort = 8080;

    public static IResourceBuilder<IResourceWithEndpoints> AddBastion(
        this IDistributedApplicationBuilder builder, string name, IReadOnlyList<BastionUpstream> upstreams, AppHostLayout layout, int hostPort)
    {
        var files = new Dictionary<string, string>
        {
            [CaddyConfig.CaddyfileName] = CaddyConfig.Caddyfile(),
            [CaddyConfig.RoutesFileName] = CaddyConfig.Routes(upstreams.Select(upstream => upstream.Route)),
        };
        return builder.ExecutionContext.IsRunMode
            ? builder.AddLocalCaddy(name, files, layout, hostPort).RouteTo(upstreams)
            : builder.AddCaddyContainer(name, files, layout, hostPort).RouteTo(upstreams);
    }

    /// <summary>The access log of a run-mode bastion (JSON lines, credentials removed): <c>tail -f</c> it.</summary>
    public static string AccessLogPath(AppHostLayout layout, string name) => Path.Combine(layout.StateDirectory, "logs", $"{name}-access.log");

    private static IResourceBuilder<ExecutableResource> AddLocalCaddy(
        this IDistributedApplicationBuilder builder, string name, Dictionary<string, string> files, AppHostLayout layout, int hostPort)
    {
        // Written at start from the model, so the routes always match the apps this AppHost runs.
        var configDirectory = Path.Combine(layout.StateDirectory, name);
        Directory.CreateDirectory(configDirectory);
        foreach (var (fileName, content) in files)
        {
            File.WriteAllText(Path.Combine(configDirectory, fileName), content);
        }

        var logFile = AccessLogPath(layout, name);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var caddyHome = Path.Combine(layout.StateDirectory, "caddy");
        return builder.AddExecutable(name, "caddy", configDirectory, "run", "--config", CaddyConfig.CaddyfileName, "--adapter", "caddyfile")
            // The deployment's port (http://localhost:8505) in run mode too, so a developer's browser has one known
            // address; DCP proxies it to Caddy's own port (tests randomise it).
            .WithHttpEndpoint(port: hostPort, name: "http", env: "BASTION_PORT")
            .WithEnvironment("BASTION_BIND", "127.0.0.1")
            .WithEnvironment("BASTION_LOG_FILE", logFile)
            // Caddy 2.6 has no persist_config option and autosaves under XDG dirs even with admin off: keep it in state.
            .WithEnvironment("XDG_CONFIG_HOME", caddyHome)
            .WithEnvironment("XDG_DATA_HOME", caddyHome)
            .WithHttpHealthCheck("/healthz");
    }

    private static IResourceBuilder<ContainerResource> AddCaddyContainer(
        this IDistributedApplicationBuilder builder, string name, Dictionary<string, string> files, AppHostLayout layout, int hostPort)
    {
        var configDirectory = Path.Combine("deploy", name);
        return builder.AddContainer(name, "caddy", "2.6")
            // A directory, not the file: a bind-mounted file pins its inode, so an edited Caddyfile would go unseen
            // (the runbook's "inode gotcha"). With the directory, `docker compose restart` always reads the new file.
            .WithBindMount(Path.Combine(layout.RepositoryRoot, configDirectory), ConfigMountPath, isReadOnly: true)
            .WithVolume($"peregrine-{name}-data", "/data")
            .WithArgs("caddy", "run", "--config", $"{ConfigMountPath}/{CaddyConfig.CaddyfileName}", "--adapter", "caddyfile")
            .WithHttpEndpoint(port: hostPort, targetPort: ContainerPort, name: "http", env: "BASTION_PORT")
            .WithExternalHttpEndpoints()
            .WithComposeSettings(settings => settings with
            {
                ImageVariable = "CADDY_IMAGE",
                // The official image's busybox has wget (the stand-in installs it); /healthz is answered by Caddy itself.
                HealthCheck = new ComposeHealthCheck(["CMD", "wget", "-q", "-O", "/dev/null", $"http://127.0.0.1:{ContainerPort}/healthz"]),
            })
            .WithAnnotation(new GeneratedFilesAnnotation(files.ToDictionary(
                file => Path.Combine(configDirectory, file.Key).Replace('\\', '/'), file => file.Value)));
    }

    private static IResourceBuilder<T> RouteTo<T>(this IResourceBuilder<T> bastion, IReadOnlyList<BastionUpstream> upstreams)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport, IResourceWithEndpoints
    {
        var trust = bastion.ApplicationBuilder.TrustedProxies(bastion);
        bastion.WithEnvironment(CaddyConfig.TrustedProxiesVariable, trust.Edge);
        foreach (var upstream in upstreams)
        {
            var addresses = new ReferenceExpressionBuilder();
            foreach (var service in upstream.Services)
            {
                if (!addresses.IsEmpty)
                {
                    addresses.AppendLiteral(" ");
                }

                addresses.Append($"{service.GetEndpoint("http").Property(EndpointProperty.HostAndPort)}");
                bastion.WaitFor(service);
            }

            bastion.WithEnvironment(upstream.Route.UpstreamVariable, addresses.Build());
            var trustedByApp = upstream.Services.Count > 1 ? trust.Upstream.AndShards(bastion.ApplicationBuilder, upstream.Services) : trust.Upstream;
            foreach (var service in upstream.Services)
            {
                service.WithEnvironment(TrustedProxiesVariable, trustedByApp);
            }
        }

        return bastion;
    }

    /// <summary>
    /// A shard forwards a request for another shard's user to that shard with the client's address in
    /// X-Forwarded-For, so an app's shards believe each other (in run mode loopback is trusted already).
    /// </summary>
    private static ReferenceExpression AndShards(
        this ReferenceExpression trusted, IDistributedApplicationBuilder builder, IReadOnlyList<IResourceBuilder<ProjectResource>> shards)
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            return trusted;
        }

        var withShards = new ReferenceExpressionBuilder();
        foreach (var shard in shards)
        {
            withShards.Append($"{shard.GetEndpoint("http").Property(EndpointProperty.Host)} ");
        }

        withShards.Append($"{trusted}");
        return withShards.Build();
    }

    /// <summary>
    /// Who may tell an app who the client is. The edge in front of the bastion (where TLS ends) is believed by the
    /// bastion; the app believes the bastion and that edge, and nobody else, so neither a visitor's forged header nor
    /// one sent straight to the app is taken. In a deployment the edge is <c>TRUSTED_PROXIES</c> of <c>.env</c>
    /// (Caddy's ranges; default <c>private_ranges</c>: an edge on the same host or private network) and the bastion
    /// is its compose service name. In run mode browsers talk to the bastion directly (it trusts nobody), and the
    /// app sees the bastion's connections arrive from loopback, through the AppHost's endpoint proxy.
    /// </summary>
    private static (ReferenceExpression Edge, ReferenceExpression Upstream) TrustedProxies<T>(this IDistributedApplicationBuilder builder, IResourceBuilder<T> bastion)
        where T : IResourceWithEndpoints
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            return (ReferenceExpression.Create($""), ReferenceExpression.Create($"127.0.0.1 ::1"));
        }

        var edge = builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == TrustedProxiesParameter) is { } existing
            ? builder.CreateResourceBuilder(existing)
            : builder.AddParameter(TrustedProxiesParameter, "private_ranges", publishValueAsDefault: true)
                .WithDescription("Proxies in front of the bastion (where TLS ends) whose X-Forwarded-For/-Proto are believed: Caddy ranges, space-separated; private_ranges covers an edge on this host or a private network.");
        var host = bastion.GetEndpoint("http").Property(EndpointProperty.Host);
        return (ReferenceExpression.Create($"{edge}"), ReferenceExpression.Create($"{host} {edge}"));
    }
}
