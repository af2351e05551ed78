using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Peregrine.Api.Operations.DisasterRecovery;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.DisasterRecovery;

/// <summary>
/// The restore drill: an instance of users with jobs, letters and files is snapshotted while a writer keeps changing it,
/// the host is lost (data root deleted, platform DB dropped), and <c>restore-all</c> brings back exactly what the
/// snapshot's manifest says, with working sessions; nothing secret or personal is printed, and the repository holds no
/// plain text of any user.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class RestoreDrillTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Users = 200;
    private const int JobsPerUser = 3;

    [Fact]
    public async Task AnInstanceSnapshottedUnderWritesComesBackOnAnEmptyHostAsItsManifestSays()
    {
        await using var instance = await InstanceUnderTest.CreateAsync(postgres);
        var api = await instance.StartApiAsync();
        var users = new List<string>();
        for (var i = 0; i < Users; i++)
        {
            users.Add(await instance.CreateUserAsync(JobsPerUser));
        }

        // A writer keeps adding jobs for random users during the whole snapshot.
        using var stopWriting = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            while (!stopWriting.IsCancellationRequested)
            {
                var user = users[Random.Shared.Next(users.Count)];
                using var client = api.CreateClient(user);
                var response = await client.PostAsJsonAsync("/peregrine/api/jobs", new { title = "Written during the snapshot", company = "Acme", url = $"https://jobs.example/during/{Guid.NewGuid()}" });
                response.EnsureSuccessStatusCode();
                written++;
            }
        });
        var backup = await instance.RunAsync("backup-all");
        await stopWriting.CancelAsync();
        await writer;
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.True(written > 0, "the writer never wrote during the snapshot");
        Assert.Contains($"{Users} users, {Users} trees ({Users} copied, 0 unchanged, 0 failed)", backup.StandardOutput, StringComparison.Ordinal);

        var manifest = await ManifestOfLatestAsync(instance);
        AssertNothingSecretOrPersonal(instance, backup, users);
        AssertNoPlaintextInRepository(instance);

        await instance.LoseTheHostAsync(postgres);
        var restore = await instance.RunAsync("restore-all");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains($"{Users} trees restored, 0 withheld", restore.StandardOutput, StringComparison.Ordinal);
        AssertNothingSecretOrPersonal(instance, restore, users);

        // Every file is back, byte for byte as the manifest recorded it, with the service's modes.
        foreach (var tree in manifest.Users)
        {
            foreach (var file in tree.Files.Append(tree.Database!))
            {
                var path = Path.Combine(instance.DataRoot, file.Path["users/".Length..]);
                Assert.Null(file.Mismatch(path));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }

        Assert.True(File.Exists(Path.Combine(instance.KeyRing, "key-11111111-2222-4333-8444-555555555555.xml")));

        // The platform DB is back (every user has their subscription row), and sessions work: each user's rows are there.
        await using (var platform = await instance.OpenPlatformAsync())
        {
            Assert.Equal(Users, await platform.ExecuteScalarAsync<long>("SELECT count(*) FROM subscriptions"));
        }

        api = await instance.StartApiAsync();
        foreach (var tree in manifest.Users.Take(20))
        {
            using var client = api.CreateClient(tree.UserId);
            var jobs = await client.GetFromJsonAsync<List<Dictionary<string, object>>>("/peregrine/api/jobs?status=pending&limit=1000");

            Assert.Equal(tree.Rows!["jobs"], jobs!.Count);
            var session = await client.GetAsync("/peregrine/api/session");
            Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        }

        await instance.StopApiAsync();
        var verify = await instance.RunAsync("verify-all");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains($"{Users} checked, {Users} ok, 0 broken", verify.StandardOutput, StringComparison.Ordinal);

        var verifyBackup = await instance.RunAsync("verify-backup", "--sample", "10");
        Assert.True(verifyBackup.ExitCode == 0, verifyBackup.ToString());
        Assert.Contains("0 problem(s)", verifyBackup.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>The manifest of the newest instance snapshot, read back from the repository with restic itself.</summary>
    internal static Task<InstanceManifest> ManifestOfLatestAsync(InstanceUnderTest instance) => ManifestOfLatestAsync(instance.Repository);

    internal static async Task<InstanceManifest> ManifestOfLatestAsync(string repositoryPath)
    {
        var repository = new ResticRepository(new DisasterRecoveryOptions { Repository = repositoryPath, Password = InstanceUnderTest.ResticPassword });
        var snapshot = await repository.FindInstanceSnapshotAsync("latest", CancellationToken.None);
        var bytes = await repository.DumpAsync(snapshot.Id, "/" + InstanceManifest.FileName, CancellationToken.None);
        return System.Text.Json.JsonSerializer.Deserialize<InstanceManifest>(bytes, InstanceManifest.Json)!;
    }

    internal static void AssertNothingSecretOrPersonal(InstanceUnderTest instance, ApiProcess.Outcome outcome, IEnumerable<string> users)
    {
        var printed = outcome.StandardOutput + outcome.StandardError;
        Assert.DoesNotContain(InstanceUnderTest.ResticPassword, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(instance.ServerSecret, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(TestTokens.JwtSecret, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(InstanceUnderTest.Marker, printed, StringComparison.Ordinal);
        Assert.DoesNotContain("Engineer", printed, StringComparison.Ordinal);
        foreach (var user in users.Take(5))
        {
            Assert.DoesNotContain(DatabaseKey.Derive(instance.ServerSecret, user).ToHex(), printed, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>restic encrypts everything it stores, and the DBs went in encrypted: no file of the repository holds the marker.</summary>
    internal static void AssertNoPlaintextInRepository(InstanceUnderTest instance)
    {
        var marker = Encoding.UTF8.GetBytes(InstanceUnderTest.Marker);
        foreach (var file in Directory.EnumerateFiles(instance.Repository, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(marker) < 0, $"the repository file {Path.GetFileName(file)} holds the plain marker");
        }
    }
}
