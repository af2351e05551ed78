using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Configuration;

[Trait(Category.Name, Category.Service)]
public sealed class StartupFailureTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, string?> CompleteCloudEnvironment()
    {
        var environment = CloudEnvironment.For(_dir.Combine("data"));
        environment["CLOUD_MODE"] = "yes"; // any of the runbook's spellings turns cloud mode on
        return environment;
    }

    [Theory]
    [InlineData("DIRECTUS_JWT_SECRET", null)]
    [InlineData("DIRECTUS_JWT_SECRET", "")]
    [InlineData("CF_SERVER_SECRET", null)]
    [InlineData("CF_SERVER_SECRET", "  ")]
    [InlineData("CLOUD_DATA_ROOT", null)]
    [InlineData("CLOUD_DATA_ROOT", "")]
    public async Task CloudModeWithoutARequiredVariableExitsNonZeroNamingIt(string variable, string? value)
    {
        var environment = CompleteCloudEnvironment();
        if (value is null)
        {
            environment.Remove(variable);
        }
        else
        {
            environment[variable] = value;
        }

        var outcome = await ApiProcess.RunAsync(environment, Timeout);

        Assert.False(outcome.TimedOut, "the service started instead of refusing");
        Assert.NotEqual(0, outcome.ExitCode);
        var line = Assert.Single(outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(variable, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine("data")), "nothing is created when start-up is refused");
    }

    [Fact]
    public async Task MissingEngineExitsNonZeroWithOneLineNamingTheBuildCommand()
    {
        var environment = new Dictionary<string, string?> { ["PEREGRINE_SQLITE_LIB"] = _dir.Combine("nowhere", "libsqlite3mc.so") };

        var outcome = await ApiProcess.RunAsync(environment, Timeout);

        Assert.NotEqual(0, outcome.ExitCode);
        var line = Assert.Single(outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("./eng/build-native.sh", line, StringComparison.Ordinal);
    }
}
