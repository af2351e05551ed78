using System.Diagnostics;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Rotation;

namespace Peregrine.Tests.DisasterRecovery;

/// <summary><c>backup-all</c> killed (SIGKILL) at random points: the next run completes, and the repository checks clean.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class BackupCrashTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Users = 24;

    [Fact]
    public async Task ABackupKilledAtRandomPointsIsCompletedByTheNextRunAndTheRepositoryChecksClean()
    {
        await using var instance = await InstanceUnderTest.CreateAsync(postgres);
        var api = await instance.StartApiAsync();
        var users = new List<string>();
        for (var i = 0; i < Users; i++)
        {
            users.Add(await instance.CreateUserAsync(jobs: 2));
        }

        await instance.StopApiAsync();
        var killed = 0;
        // Points spread over the run: while trees are copied (after k progress lines), and after the last one (the
        // platform dump, the manifest, restic's own backup) a random time later.
        foreach (var point in new[] { Random.Shared.Next(1, Users / 2), Random.Shared.Next(Users / 2, Users), Users + Random.Shared.Next(1, 6) })
        {
            var afterLastLine = Stopwatch.StartNew();
            var lastLines = 0;
            var delay = TimeSpan.FromMilliseconds(150 * (point - Users));
            var wasKilled = await OperatorProcess.KillWhenAsync(instance.Environment(), ["backup-all"], lines =>
            {
                if (lines != lastLines)
                {
                    lastLines = lines;
                    afterLastLine.Restart();
                }

                return point <= Users ? lines >= point : lines >= Users && afterLastLine.Elapsed >= delay;
            });
            killed += wasKilled ? 1 : 0;
        }

        Assert.True(killed >= 2, $"only {killed} of the runs were killed before they finished");

        var completed = await instance.RunAsync("backup-all");
        Assert.True(completed.ExitCode == 0, completed.ToString());
        Assert.Contains($"{Users} users, {Users} trees", completed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(" 0 failed)", completed.StandardOutput, StringComparison.Ordinal);

        var verify = await instance.RunAsync("verify-backup", "--sample", Users.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains($"{Users} of {Users} trees test-restored", verify.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("0 problem(s)", verify.StandardOutput, StringComparison.Ordinal);
        RestoreDrillTests.AssertNothingSecretOrPersonal(instance, completed, users);
        RestoreDrillTests.AssertNoPlaintextInRepository(instance);

        // A second run right after has nothing to copy again.
        var again = await instance.RunAsync("backup-all");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"(0 copied, {Users} unchanged, 0 failed)", again.StandardOutput, StringComparison.Ordinal);

        // A restore never overwrites a host that has users.
        var refused = await instance.RunAsync("restore-all");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("already holds user trees", refused.StandardError, StringComparison.Ordinal);
    }
}
