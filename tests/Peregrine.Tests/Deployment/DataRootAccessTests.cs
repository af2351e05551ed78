using Peregrine.Configuration;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment;

/// <summary>
/// A data root the service cannot write stops it at start-up with one line naming the fix. (These tests run as root,
/// for whom every folder is writable; the deploy layer checks the real case, a root-owned folder and the app's user.)
/// </summary>
public sealed class DataRootAccessTests : IDisposable
{
    private readonly TestDirectory _directory = new("peregrine-data-root");

    public void Dispose() => _directory.Dispose();

    [Fact]
    [Trait(Category.Name, Category.Unit)]
    public void AWritableDataRootPasses()
    {
        Assert.Null(DataRootAccess.Problem(Cloud(_directory.Combine("users")), hostPath: null));
    }

    [Fact]
    [Trait(Category.Name, Category.Unit)]
    public void AnUnusableDataRootIsNamedWithTheFixOnTheHostPath()
    {
        var root = Blocked();

        var problem = DataRootAccess.Problem(Cloud(root), hostPath: "/srv/peregrine-data");

        var (user, group) = (EffectiveId("Uid"), EffectiveId("Gid"));
        Assert.Equal(
            $"data root {root} is not writable by this process (uid {user}, gid {group}); "
            + $"fix: sudo chown -R {user}:{group} /srv/peregrine-data && sudo chmod -R go-rwx /srv/peregrine-data on the host (mounted at {root})",
            problem);
    }

    [Fact]
    [Trait(Category.Name, Category.Service)]
    public async Task TheApiRefusesToStartWithOneLine()
    {
        var outcome = await ApiProcess.RunAsync(
            new Dictionary<string, string?>
            {
                ["CLOUD_MODE"] = "true",
                ["CLOUD_DATA_ROOT"] = Blocked(),
                ["DIRECTUS_JWT_SECRET"] = TestTokens.JwtSecret,
                ["CF_SERVER_SECRET"] = PeregrineApiFactory.ServerSecret,
            },
            TimeSpan.FromSeconds(60));

        Assert.False(outcome.TimedOut, "the Api served with a data root it cannot write");
        Assert.Equal(1, outcome.ExitCode);
        var line = Assert.Single(outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("peregrine: cannot start: data root ", line, StringComparison.Ordinal);
        Assert.Contains("fix: sudo chown -R ", line, StringComparison.Ordinal);
    }

    // Even root cannot make a folder under a regular file.
    private string Blocked()
    {
        File.WriteAllText(_directory.Combine("a-file"), string.Empty);
        return _directory.Combine("a-file", "users");
    }

    // The second field of /proc/self/status's Uid:/Gid: lines is the effective id.
    private static string EffectiveId(string field) =>
        File.ReadLines("/proc/self/status").Single(line => line.StartsWith(field + ":", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2];

    private static PeregrineOptions Cloud(string root) => new() { CloudModeFlag = "true", CloudDataRoot = root };
}
