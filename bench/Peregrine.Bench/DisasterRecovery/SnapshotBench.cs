using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Peregrine.Api.Operations;
using Peregrine.Api.Operations.DisasterRecovery;
using Peregrine.Api.Platform;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Bench.DisasterRecovery;

/// <summary>
/// <c>-- disaster-recovery [users] [jobs]</c> (run by <c>./eng/bench-dr.sh</c>, which provides a throwaway Postgres and
/// restic): an instance of realistic users snapshotted with <c>backup-all</c>'s own code while a user keeps writing, then
/// restored on an empty root and DB with <c>restore-all</c>'s. Every figure is a ratio to what the disk gives in the
/// same run (<c>cp -a</c> of the data root plus a sync), or a size.
/// </summary>
internal static class SnapshotBench
{
    private const string Secret = "bench-disaster-recovery-secret";
    private const string Password = "bench-restic-password";

    public static async Task RunAsync(int userCount, int jobs)
    {
        var platform = PlatformConnectionString.Normalize(Environment.GetEnvironmentVariable("PLATFORM_DB_URL")
            ?? throw new InvalidOperationException("PLATFORM_DB_URL is not set; run ./eng/bench-dr.sh"));
        var root = Path.Combine(Path.GetTempPath(), $"peregrine-dr-bench-{Guid.NewGuid():N}");
        try
        {
            var settings = Settings(Path.Combine(root, "data"));
            var options = new DisasterRecoveryOptions { Repository = Path.Combine(root, "repository"), Password = Password, StagingDirectory = Path.Combine(root, "staging"), Concurrency = 2 };
            await MigrateAsync(platform);
            var users = await FillAsync(settings, platform, userCount, jobs);
            var dataBytes = Directory.EnumerateFiles(settings.DataRoot, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

            var copy = await CopyWithCpAsync(settings.DataRoot, Path.Combine(root, "cp-copy"));
            var idle = await WriterPausesAsync(users, TimeSpan.FromSeconds(10), during: null);

            Console.WriteLine("snapshot 1 (every tree copied) while a user keeps writing…");
            InstanceBackupSummary first = null!;
            var busy = await WriterPausesAsync(users, TimeSpan.Zero, during: async () =>
                first = await BackupAllCommand.RunAsync(settings, ShardDataRoots.OfSingleHost(settings), options, platform, TimeProvider.System, TextWriter.Null, options.Concurrency, TimeSpan.Zero, CancellationToken.None));
            var restic = new ResticRepository(options);
            var sizeFirst = restic.LocalSize()!.Value;

            // The writer touched users after their copy: one more run takes those in, so the next one measures 1 % alone.
            SqliteConnection.ClearAllPools();
            await BackupAllCommand.RunAsync(settings, ShardDataRoots.OfSingleHost(settings), options, platform, TimeProvider.System, TextWriter.Null, options.Concurrency, TimeSpan.Zero, CancellationToken.None);
            var sizeSettled = restic.LocalSize()!.Value;
            var changed = users.Take(Math.Max(1, userCount / 100)).ToList();
            foreach (var user in changed)
            {
                BenchJobs.Fill(user.Database, 20, i => BenchJobs.Realistic(jobs + i));
            }

            SqliteConnection.ClearAllPools();
            var second = await BackupAllCommand.RunAsync(settings, ShardDataRoots.OfSingleHost(settings), options, platform, TimeProvider.System, TextWriter.Null, options.Concurrency, TimeSpan.Zero, CancellationToken.None);
            var sizeSecond = restic.LocalSize()!.Value;

            var restoredSettings = Settings(Path.Combine(root, "restored"));
            var target = await NewDatabaseAsync(platform);
            var restoreClock = Stopwatch.StartNew();
            var restored = await new InstanceRestore(restoredSettings, ShardDataRoots.OfSingleHost(restoredSettings), options, target, TextWriter.Null)
                .RunAsync("latest", owner: null, token => MigrateAsync(target, token), CancellationToken.None);
            restoreClock.Stop();
            if (restored.TreesRestored != userCount || first.Copied != userCount || second.Copied != changed.Count)
            {
                throw new InvalidOperationException($"unexpected counts: {first} / {second} / {restored}");
            }

            Report(userCount, jobs, dataBytes, copy, first, second, changed.Count, sizeFirst, sizeSettled, sizeSecond, restoreClock.Elapsed, idle, busy);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Report(int users, int jobs, long dataBytes, TimeSpan copy, InstanceBackupSummary first, InstanceBackupSummary second, int changed,
        long sizeFirst, long sizeSettled, long sizeSecond, TimeSpan restore, WriterPauses idle, WriterPauses busy)
    {
        Console.WriteLine(Invariant($"load average: {File.ReadAllText("/proc/loadavg").Trim()}"));
        Console.WriteLine(Invariant($"{users} users x {jobs} jobs: data root {dataBytes / 1e6:F0} MB; cp -a + sync {copy.TotalSeconds:F1} s"));
        Console.WriteLine("| Measure | Measured | Baseline | Ratio |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(Invariant($"| snapshot 1 (`backup-all`, every tree copied) ÷ `cp -a` + sync of the data root | {first.Elapsed.TotalSeconds:F1} s | {copy.TotalSeconds:F1} s | {first.Elapsed / copy:F2} |"));
        Console.WriteLine(Invariant($"| repository size after snapshot 1 ÷ data root | {sizeFirst / 1e6:F0} MB | {dataBytes / 1e6:F0} MB | {(double)sizeFirst / dataBytes:F2} |"));
        Console.WriteLine(Invariant($"| size added by snapshot 2 after {changed} users (1 %) changed ÷ snapshot 1 | {(sizeSecond - sizeSettled) / 1e6:F1} MB | {sizeFirst / 1e6:F0} MB | {(double)(sizeSecond - sizeSettled) / sizeFirst:F3} |"));
        Console.WriteLine(Invariant($"| snapshot 2 time ÷ `cp -a` + sync | {second.Elapsed.TotalSeconds:F1} s | {copy.TotalSeconds:F1} s | {second.Elapsed / copy:F2} |"));
        Console.WriteLine(Invariant($"| restore (`restore-all`: files, platform DB, modes) ÷ `cp -a` + sync | {restore.TotalSeconds:F1} s | {copy.TotalSeconds:F1} s | {restore / copy:F2} |"));
        Console.WriteLine(Invariant($"| longest write a user saw during snapshot 1 ÷ longest without a snapshot | {busy.Longest.TotalMilliseconds:F1} ms | {idle.Longest.TotalMilliseconds:F1} ms | {busy.Longest / idle.Longest:F2} |"));
        Console.WriteLine(Invariant($"| p99 write during snapshot 1 ÷ p99 without | {busy.P99.TotalMilliseconds:F1} ms | {idle.P99.TotalMilliseconds:F1} ms | {busy.P99 / idle.P99:F2} |"));
        Console.WriteLine(Invariant($"| longest writer pause `backup-all` measured (its own figure) | {first.LongestPause.TotalMilliseconds:F1} ms | | |"));
    }

    private sealed record WriterPauses(TimeSpan Longest, TimeSpan P99, int Writes);

    /// <summary>
    /// One user after another writes a job through the service's opener (a request's DB work), timed; for
    /// <paramref name="length"/>, or for as long as <paramref name="during"/> runs.
    /// </summary>
    private static async Task<WriterPauses> WriterPausesAsync(List<UserContext> users, TimeSpan length, Func<Task>? during)
    {
        var databases = new UserDatabases(new StorageOptions());
        var times = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                var user = users[random.Next(users.Count)];
                var clock = Stopwatch.StartNew();
                await using (var connection = await databases.OpenAsync(user.Database, CancellationToken.None))
                {
                    await connection.ExecuteAsync("UPDATE jobs SET match_score = match_score WHERE id = (SELECT min(id) FROM jobs);");
                }

                times.Add(clock.Elapsed);
                await Task.Delay(5);
            }
        });
        if (during is null)
        {
            await Task.Delay(length);
        }
        else
        {
            await during();
        }

        await stop.CancelAsync();
        await writer;
        times.Sort();
        return new WriterPauses(times[^1], times[(int)(times.Count * 0.99)], times.Count);
    }

    private static async Task<List<UserContext>> FillAsync(PeregrineOptions settings, string platform, int count, int jobs)
    {
        var clock = Stopwatch.StartNew();
        var users = Enumerable.Range(0, count).Select(_ => CloudUserResolver.ForUser(settings, Guid.NewGuid().ToString())).ToList();
        await using var connection = new NpgsqlConnection(platform);
        await connection.OpenAsync();
        foreach (var user in users)
        {
            BenchJobs.Fill(user.Database, jobs, BenchJobs.Realistic);
            Directory.CreateDirectory(user.ConfigDirectory);
            Directory.CreateDirectory(user.DataDirectory);
            await File.WriteAllTextAsync(Path.Combine(user.ConfigDirectory, "user.yaml"), $"name: Bench User\nemail: {user.UserId}@example.com\n");
            await File.WriteAllBytesAsync(Path.Combine(user.DataDirectory, "resume.pdf"), new byte[48 * 1024]);
            await connection.ExecuteAsync("INSERT INTO subscriptions (user_id, product) VALUES (@id, 'peregrine')", new { id = Guid.Parse(user.UserId) });
        }

        SqliteConnection.ClearAllPools();
        Console.WriteLine(Invariant($"filled {count} users x {jobs} jobs in {clock.Elapsed.TotalSeconds:F0} s"));
        return users;
    }

    private static async Task<TimeSpan> CopyWithCpAsync(string source, string destination)
    {
        var clock = Stopwatch.StartNew();
        await RunAsync("cp", "-a", source, destination);
        await RunAsync("sync", "--file-system", destination);
        return clock.Elapsed;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed");
        }
    }

    private static async Task MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new PlatformSchema(dataSource, NullLogger<PlatformSchema>.Instance).MigrateAsync(cancellationToken);
    }

    private static async Task<string> NewDatabaseAsync(string connectionString)
    {
        var name = $"restored_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString;
    }

    private static PeregrineOptions Settings(string dataRoot) => new()
    {
        CloudModeFlag = "true",
        CloudDataRoot = dataRoot,
        ServerSecret = Secret,
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
