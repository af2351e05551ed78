using Peregrine.AppHost;
using Peregrine.AppHost.Apps;
using Peregrine.AppHost.Backup;
using Peregrine.AppHost.Bastion;
using Peregrine.AppHost.Llm;
using Peregrine.AppHost.PlatformDb;
using Peregrine.AppHost.Publishing;

var builder = DistributedApplication.CreateBuilder(args);
var layout = AppHostLayout.For(builder);
var isDeployment = builder.ExecutionContext.IsPublishMode;

// Secrets are Aspire parameters: generated once for development and kept in user secrets, never in the repo.
// In a deployment they are the runbook's .env entries (DIRECTUS_JWT_SECRET, CF_SERVER_SECRET), required by compose.
var jwtSecret = builder.AddParameter("directus-jwt-secret", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
    .WithDescription("Directus signing secret that validates session JWTs (runbook: website/.env → DIRECTUS_SECRET).");
var serverSecret = builder.AddParameter("cf-server-secret", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
    .WithDescription("Derives every per-user SQLCipher key and wraps the apps' Data Protection keys. Rotate it only as docs 'Rotating secrets' says: old value in CF_SERVER_SECRET_PREVIOUS, then rekey-all.");

// platformdb: account metadata only. Its own file says where it runs in each mode.
var platformDb = builder.AddPlatformDb(layout);

// Each hosted app runs as Shards:Count Api processes (default 1: today's single host), each with its own data root.
var shards = ApiShard.ReadAll(builder.Configuration);
var sharded = shards.Count > 1;

// The platform's LLM (optional parameters in a deployment); a developer run without one gets the labelled development LLM.
var llm = builder.AddPlatformLlm();
var rotation = builder.AddSecretRotation();

// One multi-tenant API per hosted app ("Apps" in appsettings.json) and shard: same project, PEREGRINE_APP tells it
// its path base and its per-user folder. The bastion spreads an app's requests over its shards.
var upstreams = new List<BastionUpstream>();
var apis = new List<IResourceBuilder<ProjectResource>>();
foreach (var hostedApp in HostedApp.ReadAll(builder.Configuration))
{
    var appShards = new List<IResourceBuilder<ProjectResource>>();
    foreach (var shard in shards)
    {
        var api = CloudService(builder.AddProject<Projects.Peregrine_Api>(shard.ResourceName(hostedApp)), shard)
            .WithEnvironment("PEREGRINE_APP", hostedApp.Slug)
            .WithHttpHealthCheck("/health");
        llm.Apply(api);
        if (isDeployment)
        {
            // 20,000 open files by default: the API then pools up to about 5,000 user DBs (a quarter is kept for sockets),
            // more than memory allows on most hosts. Not higher: an engine cannot grant more than its own hard limit, and
            // Debian's dockerd started from a shell often has exactly 20,000; API_OPEN_FILE_LIMIT raises it where it can.
            api.WithContainerPort(hostedApp.ContainerPort)
                .AsComposeApp(shard.ServiceName(hostedApp))
                .WithComposeOpenFileLimit(20_000)
                .WithComposeSettings(settings => settings with
                {
                    // Lets a refusal to start name the host folder to fix (Peregrine.Storage.DataRootAccess).
                    Environment = new Dictionary<string, ComposeVariable> { ["PEREGRINE_DATA_ROOT_ON_HOST"] = shard.HostDataRoot(sharded) },
                });
        }

        if (sharded)
        {
            // Its place in the app's cluster, and the one key ring every shard signs with.
            api.AsShard(shard, hostedApp, firstShard: appShards.FirstOrDefault() ?? api)
                .UsesKeyRingOfShardA(shard, layout);
        }

        appShards.Add(api);
    }

    apis.AddRange(appShards);
    upstreams.Add(new BastionUpstream(new BastionRoute(hostedApp.Slug, hostedApp.UpstreamVariable, ForwardSession: true, Upstreams: appShards.Count), appShards));
}

if (isDeployment)
{
    // One scheduled backup for the instance (it snapshots every app's trees), on the first app's image. With shards it
    // mounts every shard's data root (the first app's shards stand for all apps: they share each shard's folder).
    builder.AddScheduledBackup(apis[0], service => CloudService(service, shards[0]).WithEveryShardsDataRoot(shards, apis.Take(shards.Count)));
}

// demo: the public demo, a separate process with its own data and no secrets, so nothing of the cloud leaks into it.
var demo = builder.AddProject<Projects.Peregrine_Demo>("demo")
    .WithEnvironment("DEMO_MODE", "true")
    .WithEnvironment("STAGING_DB", isDeployment ? "/data/demo/staging.db" : Path.Combine(layout.StateDirectory, "demo-data", "staging.db"))
    .WithHttpHealthCheck("/health");

// bastion: Caddy, the only entry point users see. /<app>* goes to that app's API with Cookie copied into
// X-CF-Session; anything else is the runbook's 503. Its Caddyfile is generated from the list above.
builder.AddBastion("bastion", upstreams, layout, hostPort: HostedApp.FirstContainerPort);

if (isDeployment)
{
    // The demo is its own compose project with its own bastion (runbook "Demo Instance"): no shared network,
    // volume or secret with the cloud, and its service is `app` too (`build app` in the runbook). It has no
    // sessions, so its bastion forwards no cookies.
    demo.WithContainerPort(8080).WithComposeVolume("peregrine-demo-data", "/data/demo")
        .InComposeProject(ComposeProjectAnnotation.Demo).AsComposeApp("app");
    builder.AddBastion("demo-bastion", [new BastionUpstream(new BastionRoute("peregrine", "DEMO_UPSTREAM", ForwardSession: false), [demo])], layout, hostPort: 8504)
        .InComposeProject(ComposeProjectAnnotation.Demo)
        .WithComposeSettings(settings => settings with { ServiceName = "bastion" });
}

// What every cloud service of the instance gets (each API, the scheduled backup): its shard's data root, the secrets,
// the platform DB and a rotation's variables. The per-user trees <root>/<user-id>/<app>/ are a state folder in run
// mode; in a deployment the shard's host folder (runbook: CLOUD_DATA_ROOT=/devl/menagerie-data in .env), bind-mounted
// at one container path.
IResourceBuilder<ProjectResource> CloudService(IResourceBuilder<ProjectResource> service, ApiShard shard)
{
    service.WithEnvironment("CLOUD_MODE", "true")
        .WithEnvironment("CLOUD_DATA_ROOT", isDeployment ? AppHostLayout.CloudDataRootInContainer : shard.RunModeDataRoot(layout.StateDirectory))
        .WithEnvironment("DIRECTUS_JWT_SECRET", jwtSecret)
        .WithEnvironment("CF_SERVER_SECRET", serverSecret);
    platformDb.Apply(service);
    rotation.Apply(service);
    return !isDeployment ? service : service
        .WithComposeHostMount(shard.HostDataRoot(sharded), AppHostLayout.CloudDataRootInContainer)
        // The runbook's external platform DB is on the host (host.docker.internal:5433); Linux needs the alias.
        .WithComposeSettings(settings => settings with { ExtraHosts = ["host.docker.internal:host-gateway"] });
}

// Publish (./eng/publish.sh) turns this model into compose.cloud.yml, compose.demo.yml, .env.example and deploy/*.
builder.AddComposePublishing(layout.RepositoryRoot);

builder.Build().Run();
