using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// An operator's folder for two shards: the deployable files, then what <c>./eng/publish.sh --shards 2</c> generates
/// (the AppHost run in publish mode with <c>Shards:Count=2</c>, exactly as that script runs it) copied over them, and an
/// <c>.env</c> from the generated <c>.env.example</c> with a data root of its own for shard b. The committed
/// single-host files in the repository are never touched.
/// </summary>
public sealed class TwoShardDeployment : IDisposable
{
    /// <summary>Not the runbook's <c>peregrine-cloud</c>, whose stack runs on the same engine meanwhile.</summary>
    public const string ProjectName = "peregrine-shards";

    /// <summary>
    /// The generated file names the platform DB's container <c>cf-platform-db</c> (the runbook's <c>docker exec</c> uses it),
    /// and a container name exists once per engine; the shards still reach it by its service name, which is the same.
    /// </summary>
    private const string OtherContainerNames = "compose.other-container-names.yml";

    private readonly TestDirectory _shardBData = new("peregrine-shard-b");

    private TwoShardDeployment(DeploymentDirectory deployment)
    {
        Deployment = deployment;
        Project = new ComposeProject(deployment, "compose.cloud.yml", ProjectName, OtherContainerNames);
    }

    public DeploymentDirectory Deployment { get; }

    public ComposeProject Project { get; }

    /// <summary>CLOUD_DATA_ROOT, shard a's per-user trees on the host.</summary>
    public string DataRootA => Deployment.DataRoot;

    /// <summary>CLOUD_DATA_ROOT_B, shard b's per-user trees on the host.</summary>
    public string DataRootB => _shardBData.Path;

    public static async Task<TwoShardDeployment> CreateAsync()
    {
        var shards = new TwoShardDeployment(DeploymentDirectory.Create());
        using (var publish = await AppHostPublish.RunAsync("Shards:Count=2"))
        {
            foreach (var file in AppHostPublish.CommittedFiles.Append(".env.example"))
            {
                File.Copy(Path.Combine(publish.OutputDirectory, file), Path.Combine(shards.Deployment.Path, file), overwrite: true);
            }
        }

        var env = shards.Deployment.EnvFrom(File.ReadAllText(Path.Combine(shards.Deployment.Path, ".env.example")));
        env = Set(env, "CLOUD_DATA_ROOT_B", shards.DataRootB);
        // The platform DB in the stack, without the scheduled backup: one container less on a 2-core CI machine.
        env = Set(env, "COMPOSE_PROFILES", "platform-db");
        File.WriteAllText(Path.Combine(shards.Deployment.Path, ".env"), env);
        File.WriteAllText(
            Path.Combine(shards.Deployment.Path, OtherContainerNames),
            $"services:\n  cf-platform-db:\n    container_name: {ProjectName}-platform-db\n");
        return shards;
    }

    /// <summary>Whether a user's encrypted DB is in a shard's data root on the host.</summary>
    public static bool HasDatabase(string dataRoot, string user) => File.Exists(Path.Combine(dataRoot, user, "peregrine", "staging.db"));

    public void Dispose()
    {
        Deployment.Dispose();
        _shardBData.Dispose();
    }

    private static string Set(string env, string name, string value)
    {
        var lines = env.Split('\n');
        var index = Array.FindIndex(lines, line => line.StartsWith($"{name}=", StringComparison.Ordinal));
        Assert.True(index >= 0, $"the generated .env.example has no {name}");
        lines[index] = $"{name}={value}";
        return string.Join('\n', lines);
    }
}
