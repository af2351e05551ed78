using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sharding;

/// <summary>
/// The run-mode model (what <c>./eng/run.sh --Shards:Count 2</c> shows on the dashboard), built but never started: the
/// Api side of shards is not needed to check what each shard is given.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class ShardedAppHostModelTests : IAsyncLifetime
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(2);
    private readonly TestDirectory _state = new("peregrine-shard-model");
    private IDistributedApplicationTestingBuilder _builder = null!;

    public async Task InitializeAsync() => _builder = await ModelAsync(_state.Path, "Shards:Count=2");

    public async Task DisposeAsync()
    {
        await _builder.DisposeAsync();
        _state.Dispose();
    }

    [Fact]
    public void TheDashboardShowsEachShardWithItsHealthCheck()
    {
        var apis = _builder.Resources.OfType<ProjectResource>().Where(resource => resource.Name.StartsWith("api", StringComparison.Ordinal)).ToList();

        Assert.Equal(["api", "api-b"], apis.Select(api => api.Name));
        Assert.All(apis, api => Assert.NotEmpty(api.Annotations.OfType<HealthCheckAnnotation>()));
    }

    [Fact]
    public async Task EachShardHasItsIdSiloPortAddressAndOwnDataRoot()
    {
        var a = await EnvironmentAsync(_builder, "api");
        var b = await EnvironmentAsync(_builder, "api-b");

        Assert.Equal(("a", "11111"), (a["Shards__Id"], a["Shards__SiloPort"]));
        Assert.Equal(("b", "11112"), (b["Shards__Id"], b["Shards__SiloPort"]));
        Assert.Equal("{api-b.bindings.http.url}", b["Shards__AdvertisedUrl"]);
        // Every silo is on loopback in run mode: the Api's default address.
        Assert.False(b.ContainsKey("Shards__AdvertisedIp"));
        Assert.Equal(Path.Combine(_state.Path, "cloud-data"), a["CLOUD_DATA_ROOT"]);
        Assert.Equal(Path.Combine(_state.Path, "cloud-data-b"), b["CLOUD_DATA_ROOT"]);
        Assert.False(a.ContainsKey("DATA_PROTECTION_KEYS_DIR"));
        Assert.Equal(Path.Combine(_state.Path, "cloud-data", ".data-protection"), b["DATA_PROTECTION_KEYS_DIR"]);
        Assert.Equal(a["CF_SERVER_SECRET"], b["CF_SERVER_SECRET"]);
        Assert.Equal(a["PLATFORM_DB_URL"], b["PLATFORM_DB_URL"]);
    }

    [Fact]
    public async Task TheBastionWaitsForAndRoutesToEveryShard()
    {
        var bastion = _builder.Resources.Single(resource => resource.Name == "bastion");

        var environment = await EnvironmentAsync(_builder, "bastion");

        Assert.Equal("{api.bindings.http.host}:{api.bindings.http.port} {api-b.bindings.http.host}:{api-b.bindings.http.port}", environment["PEREGRINE_UPSTREAM"]);
        Assert.Superset(new HashSet<string> { "api", "api-b" }, bastion.Annotations.OfType<WaitAnnotation>().Select(wait => wait.Resource.Name).ToHashSet());
        Assert.Contains("lb_policy least_conn", await File.ReadAllTextAsync(Path.Combine(_state.Path, "bastion", "routes.caddy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithOneShardTheApiGetsNoShardSettings()
    {
        using var state = new TestDirectory("peregrine-shard-model");
        await using var single = await ModelAsync(state.Path);

        var api = await EnvironmentAsync(single, "api");

        Assert.DoesNotContain(api.Keys, name => name.StartsWith("Shards__", StringComparison.Ordinal));
        Assert.Equal(Path.Combine(state.Path, "cloud-data"), api["CLOUD_DATA_ROOT"]);
        Assert.DoesNotContain(single.Resources, resource => resource.Name == "api-b");
    }

    private static Task<IDistributedApplicationTestingBuilder> ModelAsync(string state, params string[] configuration) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.Peregrine_AppHost>(
        [
            $"State:Root={state}",
            "Parameters:platformdb-password=model-test-pg-password",
            "Parameters:directus-jwt-secret=model-test-directus-secret",
            "Parameters:cf-server-secret=model-test-server-secret",
            .. configuration,
        ]).WaitAsync(BuildTimeout);

    /// <summary>
    /// The environment as the model declares it: plain values as text, references (endpoints, parameters) as their
    /// manifest expression, since nothing is allocated in a model that never starts.
    /// </summary>
    private static async Task<Dictionary<string, string>> EnvironmentAsync(IDistributedApplicationTestingBuilder builder, string resourceName)
    {
        var resource = builder.Resources.Single(resource => resource.Name == resourceName);
        var context = new EnvironmentCallbackContext(builder.ExecutionContext);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return context.EnvironmentVariables.ToDictionary(
            variable => variable.Key,
            variable => variable.Value switch
            {
                string text => text,
                IManifestExpressionProvider expression => expression.ValueExpression,
                var other => other.ToString() ?? string.Empty,
            });
    }
}
