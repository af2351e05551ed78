using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Configuration;

[Trait(Category.Name, Category.Service)]
public sealed class StartupFailureTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, string?> CompleteCloudEnvironment() => new()
    {
        ["CLOUD_MODE"] = "yes",
        ["CLOUD_DATA_ROOT"] = _dir.Combine("data"),
        ["DIRECTUS_JWT_SECRET"] = "jwt-secret-for-tests-0123456789abcdef",
        ["CF_SERVER_SECRET"] = "server-secret-for-tests",
    };

    [Theory]
    [InlineData("DIRECTUS_JWT_SECRET", null)]
    [InlineData("DIRECTUS_JWT_SECRET", "")]
    [InlineData("CF_SERVER_SECRET", null)]
    [InlineData("CF_SERVER_SECRET", "  ")]
    [InlineData("CLOUD_DATA_ROOT", null)]
    [InlineData("CLOUD_DATA_ROOT", "")]
    public async Task Cloud_mode_without_a_required_variable_exits_non_zero_naming_it(string variable, string? value)
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
    public async Task Missing_engine_exits_non_zero_with_one_line_naming_the_build_command()
    {
        var environment = new Dictionary<string, string?> { ["PEREGRINE_SQLITE_LIB"] = _dir.Combine("nowhere", "libsqlite3mc.so") };

        var outcome = await ApiProcess.RunAsync(environment, Timeout);

        Assert.NotEqual(0, outcome.ExitCode);
        var line = Assert.Single(outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("./eng/build-native.sh", line, StringComparison.Ordinal);
    }
}
