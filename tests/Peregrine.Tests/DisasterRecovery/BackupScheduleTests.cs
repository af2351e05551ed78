using System.Diagnostics;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Rotation;

namespace Peregrine.Tests.DisasterRecovery;

/// <summary>The scheduled service and the verbs' refusals: what an operator sees when something is missing or wrong.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class BackupScheduleTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Bounded = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task TheScheduledServiceSnapshotsAtOnceThenShipsANewErasureWithinItsInterval()
    {
        await using var instance = await InstanceUnderTest.CreateAsync(postgres);
        await instance.StartApiAsync();
        var user = await instance.CreateUserAsync(jobs: 1);
        await instance.StopApiAsync();

        var environment = instance.Environment();
        environment["BACKUP_ERASURE_SHIP_SECONDS"] = "5";
        using var schedule = Process.Start(ApiProcess.StartInfo(environment, "backup-schedule"))!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        schedule.OutputDataReceived += (_, line) => lines.Enqueue(line.Data ?? string.Empty);
        schedule.ErrorDataReceived += (_, line) => lines.Enqueue(line.Data ?? string.Empty);
        schedule.BeginOutputReadLine();
        schedule.BeginErrorReadLine();
        try
        {
            await WaitForLineAsync(lines, "backup-all: retention applied");
            var erase = await instance.RunAsync("erase-user", user);
            Assert.True(erase.ExitCode == 0, erase.ToString());
            await WaitForLineAsync(lines, "ship-erasures: 1 erasure(s) shipped");
        }
        finally
        {
            schedule.Kill(entireProcessTree: true);
            await schedule.WaitForExitAsync().WaitAsync(Bounded);
        }

        var printed = string.Join('\n', lines);
        Assert.DoesNotContain(InstanceUnderTest.ResticPassword, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(instance.ServerSecret, printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryVerbWithoutARepositoryExits2NamingTheVariable()
    {
        await using var instance = await InstanceUnderTest.CreateAsync(postgres);
        foreach (var verb in new[] { "backup-all", "restore-all", "verify-backup", "ship-erasures", "backup-schedule" })
        {
            var environment = instance.Environment();
            environment["RESTIC_REPOSITORY"] = null;
            var outcome = await OperatorProcess.RunAsync(environment, verb);
            Assert.Equal(2, outcome.ExitCode);
            Assert.Equal($"{verb}: RESTIC_REPOSITORY is not set (a path or a restic URL)", outcome.StandardError.Trim());
        }
    }

    [Theory]
    [InlineData("restore-all", "--owner", "root")]
    [InlineData("restore-all", "--snapshot", "../../etc")]
    [InlineData("verify-backup", "--read-data-subset", "all")]
    [InlineData("backup-all", "--concurrency", "0")]
    public async Task BadArgumentsAreBadUsageWithNothingDone(params string[] arguments)
    {
        await using var instance = await InstanceUnderTest.CreateAsync(postgres);
        var outcome = await instance.RunAsync(arguments);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.StandardError.Trim().Split('\n'));
        Assert.False(Directory.Exists(instance.Repository));
    }

    private static Task WaitForLineAsync(System.Collections.Concurrent.ConcurrentQueue<string> lines, string expected) =>
        Eventually.UntilAsync(() => lines.Any(line => line.Contains(expected, StringComparison.Ordinal)), Bounded);
}
