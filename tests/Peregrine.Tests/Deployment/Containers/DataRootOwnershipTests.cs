using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// A fresh host's data root (made by root) and a tree an install outside containers left (another owner, default
/// modes) are given to the app's user by the stack itself; an app that cannot write its data root refuses to start
/// with one line naming the exact fix, and starts once that fix is applied.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(Category.Name, Category.Deploy)]
public sealed class DataRootOwnershipTests(DeployLayer layer)
{
    private DeploymentDirectory Deployment => layer.Deployment;

    [Fact]
    public async Task AFreshRootOwnedDataRootIsGivenToTheAppsUser()
    {
        Assert.Equal("1654:1654 700", await CloudStackTests.OwnerAndModeAsync(Deployment.DataRoot));
    }

    [Fact]
    public async Task ATreeLeftByAnInstallOutsideContainersIsGivenToTheAppsUserAndServed()
    {
        var tree = Path.Combine(Deployment.DataRoot, Deployment.LegacyUser);
        using var client = Bastion.SignedIn(Deployment.Bastion, Deployment.LegacyUser);

        var session = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/session");

        Assert.Equal(Deployment.LegacyUser, session.GetProperty("user_id").GetString());
        Assert.Equal("1654:1654 700", await CloudStackTests.OwnerAndModeAsync(tree));
        Assert.Equal("1654:1654 600", await CloudStackTests.OwnerAndModeAsync(Path.Combine(tree, "peregrine", "config", "user.yaml")));
        Assert.Equal("name: Earlier Install\n", await File.ReadAllTextAsync(Path.Combine(tree, "peregrine", "config", "user.yaml")));
        Assert.True(File.Exists(Path.Combine(tree, "peregrine", "staging.db")));
    }

    [Fact]
    public async Task AnAppThatCannotWriteItsDataRootRefusesToStartWithOneLineNamingTheFix()
    {
        using var host = new TestDirectory("peregrine-root-owned");
        var dataRoot = host.Combine("data");
        Directory.CreateDirectory(dataRoot);

        // The app's image alone, as compose runs it but without the data owner service before it.
        var refused = await RunAppAsync(dataRoot, detached: false);

        Assert.Equal(1, refused.ExitCode);
        var line = Assert.Single(refused.Output.Split('\n'), l => l.Contains("cannot start", StringComparison.Ordinal));
        var fix = $"sudo chown -R 1654:1654 {dataRoot} && sudo chmod -R go-rwx {dataRoot}";
        Assert.Equal($"peregrine: cannot start: data root /data/cloud is not writable by this process (uid 1654, gid 1654); fix: {fix} on the host (mounted at /data/cloud)", line.Trim());

        // The line's fix, as an operator would paste it (this host runs as root, without sudo).
        Assert.Equal(0, (await CommandLine.RunAsync("sh", ["-c", fix.Replace("sudo ", string.Empty, StringComparison.Ordinal)], "/", DeployLayer.Command)).ExitCode);
        var started = (await RunAppAsync(dataRoot, detached: true)).Output.Trim();
        try
        {
            await Eventually.UntilAsync(
                async () => (await CommandLine.RunAsync("docker", ["logs", started], "/", DeployLayer.Command)).Output.Contains("Application started", StringComparison.Ordinal),
                DeployLayer.Healthy,
                TimeSpan.FromSeconds(1));
        }
        finally
        {
            await CommandLine.RunAsync("docker", ["rm", "-f", started], "/", DeployLayer.Command);
        }
    }

    private Task<CommandLine.Result> RunAppAsync(string dataRoot, bool detached) => CommandLine.RunAsync(
        "docker",
        [
            "run", detached ? "--detach" : "--rm", "--read-only", "--tmpfs", "/tmp", "--volume", $"{dataRoot}:/data/cloud",
            "--env", "CLOUD_MODE=true", "--env", "CLOUD_DATA_ROOT=/data/cloud", "--env", $"PEREGRINE_DATA_ROOT_ON_HOST={dataRoot}",
            "--env", $"DIRECTUS_JWT_SECRET={TestTokens.JwtSecret}", "--env", $"CF_SERVER_SECRET={Deployment.ServerSecret}",
            "peregrine/peregrine-api:latest",
        ],
        "/",
        DeployLayer.Healthy);
}
