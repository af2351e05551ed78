using System.CommandLine;
using Dapper;
using Peregrine.Api.Erasure;
using Peregrine.Api.Operations.DisasterRecovery;
using Peregrine.Configuration;
using Peregrine.Storage;

namespace Peregrine.Api.Operations;

/// <summary>
/// <c>verify-backup</c>: the proof a backup can be restored, short of a full drill. <c>restic check</c> on the repository,
/// then a sample of user trees, the platform dump and the keys test-restored into a temporary folder: every file against
/// the manifest's checksum, each DB opened with its owner's key (current, else the one its key-id record names) and
/// <c>quick_check</c>ed, its row counts against the manifest's; and the erasure log read back. Exits 1 on any problem.
/// </summary>
public static class VerifyBackupCommand
{
    public const string Name = "verify-backup";

    public static OperatorVerb Verb { get; } = Build();

    /// <summary>Null when the restored tree matches its manifest entry and its DB opens and checks clean; otherwise why not.</summary>
    public static string? Problem(PeregrineOptions settings, UserTreeEntry tree, string restoredRoot)
    {
        foreach (var file in tree.Database is null ? tree.Files : tree.Files.Append(tree.Database))
        {
            if (file.Mismatch(Path.Combine(restoredRoot, file.Path)) is { } mismatch)
            {
                return $"{file.Path}: {mismatch}";
            }
        }

        if (tree.Database is null)
        {
            return null;
        }

        var keys = settings.ServerKeys().For(tree.UserId);
        var location = new DatabaseLocation(tree.UserId, Path.Combine(restoredRoot, tree.Database.Path), keys.Current) { Keys = keys };
        if (VerifyAllCommand.Problem(location) is { } problem)
        {
            return problem;
        }

        using var inspected = DatabaseInspection.OpenReadOnly(location);
        foreach (var (table, count) in tree.Rows ?? new Dictionary<string, long>())
        {
            if (inspected.Connection.ExecuteScalar<long>($"SELECT count(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\";") != count)
            {
                return $"table {table} has another row count than the manifest says";
            }
        }

        return null;
    }

    private static OperatorVerb Build()
    {
        var snapshot = new Option<string>("--snapshot") { Description = "The instance snapshot to verify: latest, or its id.", DefaultValueFactory = _ => "latest" };
        var sample = new Option<int>("--sample") { Description = "User trees to test-restore, chosen at random.", DefaultValueFactory = _ => 5 };
        var readData = new Option<string?>("--read-data-subset") { Description = "Also read back this share of the repository's data (restic check --read-data-subset, e.g. 10%)." };
        var command = new Command(Name, "Check the restic repository, then test-restore a sample of users, the platform dump and the keys, and open each DB with its key.")
        {
            snapshot,
            sample,
            readData,
        };
        const string usage = "usage: Peregrine.Api verify-backup [--snapshot latest|<id>] [--sample <0-10000>] [--read-data-subset <n%>]";
        command.SetAction((parsed, cancellationToken) =>
        {
            var subset = parsed.GetValue(readData);
            if (parsed.GetValue(sample) is < 0 or > 10_000 || (subset is not null && !System.Text.RegularExpressions.Regex.IsMatch(subset, "^[0-9]{1,3}(\\.[0-9]+)?%$")))
            {
                return Task.FromResult(OperatorCommands.Fail(OperatorCommands.BadUsage, $"--sample or --read-data-subset is out of range; {usage}"));
            }

            return BackupAllCommand.RunWithRepositoryAsync(Name, (_, settings, options, platform, token) =>
                VerifyAsync(settings, options, platform, parsed.GetValue(snapshot) ?? "latest", parsed.GetValue(sample), subset, token), cancellationToken);
        });
        return new OperatorVerb(command, usage);
    }

    private static async Task<int> VerifyAsync(PeregrineOptions settings, DisasterRecoveryOptions options, string platform, string reference, int sampleSize, string? subset, CancellationToken cancellationToken)
    {
        var restic = new ResticRepository(options);
        var broken = 0;
        // As backup-all does first: a killed run's restic can die after the next run's own unlock, and its stale lock
        // would then fail the check though nothing holds the repository. A live process's lock stays, and is reported.
        await restic.UnlockAsync(cancellationToken);
        if (await restic.CheckAsync(subset, cancellationToken) is { } checkProblem)
        {
            broken++;
            await Console.Out.WriteLineAsync($"broken: repository: {checkProblem}");
        }

        var found = await restic.FindInstanceSnapshotAsync(reference, cancellationToken);
        var temp = Directory.CreateTempSubdirectory("peregrine-verify-backup-");
        try
        {
            await restic.RestoreAsync(found.Id, temp.FullName, ["/" + InstanceManifest.FileName], cancellationToken);
            var manifest = InstanceManifest.Read(Path.Combine(temp.FullName, InstanceManifest.FileName));
            var sample = manifest.Users.OrderBy(_ => Random.Shared.Next()).Take(sampleSize).ToList();
            await restic.RestoreAsync(found.Id, temp.FullName, ["/platform", "/keys", .. sample.Select(t => "/" + t.Directory)], cancellationToken);

            foreach (var (tree, index) in sample.Select((tree, index) => (tree, index + 1)))
            {
                var problem = Problem(settings, tree, temp.FullName);
                broken += problem is null ? 0 : 1;
                await Console.Out.WriteLineAsync($"[{index}/{sample.Count}] {tree.UserId}/{tree.App}: {(problem is null ? "ok" : "BROKEN: " + problem)}");
            }

            foreach (var file in manifest.Keys.Append(manifest.Platform.Dump))
            {
                if (file.Mismatch(Path.Combine(temp.FullName, file.Path)) is { } mismatch)
                {
                    broken++;
                    await Console.Out.WriteLineAsync($"broken: {file.Path}: {mismatch}");
                }
            }

            var erasures = await new ErasureLog(restic, platform).ReadAllAsync(cancellationToken);
            await Console.Out.WriteLineAsync(
                $"verify-backup: snapshot {found.ShortId} of {found.Time.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {sample.Count} of {manifest.Users.Count} trees test-restored; " +
                $"platform dump and {manifest.Keys.Count} key file(s) checked; erasure log holds {erasures.Count}; {broken} problem(s)");
            return broken == 0 ? OperatorCommands.Succeeded : OperatorCommands.Failed;
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}
