using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// The cloud stack as the runbook runs it (compose.cloud.yml, project peregrine-cloud), reached only through the
/// bastion's port on 127.0.0.1, with the runbook's own commands for the database, erasure, logs and rebuilds.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(Category.Name, Category.Deploy)]
public sealed class CloudStackTests(DeployLayer layer)
{
    private const string App = "app";

    private DeploymentDirectory Deployment => layer.Deployment;

    [Fact]
    public async Task OnlyTheBastionIsPublishedAndOnlyOnLoopback()
    {
        var ports = await ComposeProject.Docker(TimeSpan.FromSeconds(30), "ps", "--filter", "label=com.docker.compose.project=peregrine-cloud", "--format", "{{.Label \"com.docker.compose.service\"}} {{.Ports}}");

        var published = ports.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .SelectMany(service => (service.Length > 1 ? service[1] : string.Empty).Split(", ")
                .Where(port => port.Contains("->", StringComparison.Ordinal))
                .Select(port => $"{service[0]} {port}"));
        Assert.Equal([$"bastion 127.0.0.1:{Deployment.BastionPort}->8080/tcp"], published);
        using var anonymous = Bastion.Client(Deployment.Bastion);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await anonymous.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task ASignedInUsersFirstRequestCreatesTheirEncryptedDatabaseOnTheHost()
    {
        var user = Guid.NewGuid().ToString();
        using var client = Bastion.SignedIn(Deployment.Bastion, user);

        var session = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/session");

        Assert.Equal(user, session.GetProperty("user_id").GetString());
        var tree = Path.Combine(Deployment.DataRoot, user, "peregrine");
        var database = Path.Combine(tree, "staging.db");
        Assert.True(File.Exists(database), $"no {database} on the host");
        Assert.Equal("1654:1654 700", await OwnerAndModeAsync(tree));
        Assert.Equal("1654:1654 600", await OwnerAndModeAsync(database));
        using var copy = new TestDirectory("peregrine-copied-db");
        var copied = CopyDatabase(database, copy.Path);
        Assert.NotEqual("SQLite format 3\0"u8.ToArray(), File.ReadAllBytes(copied)[..16]);
        SqliteEngine.EnsureLoaded();
        using (var db = SqliteDatabase.Open(copied, DatabaseKey.Derive(Deployment.ServerSecret, user), pooling: false))
        using (var command = db.CreateCommand())
        {
            command.CommandText = "SELECT count(*) FROM jobs;";
            Assert.Equal(0L, command.ExecuteScalar());
        }

        var wrongKey = Assert.Throws<SqliteException>(() =>
        {
            using var db = SqliteDatabase.Open(copied, DatabaseKey.Derive("another-secret", user), pooling: false);
            using var command = db.CreateCommand();
            command.CommandText = "SELECT count(*) FROM jobs;";
            command.ExecuteScalar();
        });
        Assert.Equal(26, wrongKey.SqliteErrorCode);
    }

    [Fact]
    public async Task TheRunbooksConsentAndUsageEventQueriesRunThroughDockerExec()
    {
        var user = Guid.NewGuid().ToString();
        using var client = Bastion.SignedIn(Deployment.Bastion, user);
        (await client.PutAsJsonAsync("/peregrine/api/settings/privacy", new { usage_events = true })).EnsureSuccessStatusCode();
        var job = await AiApi.CreateJobAsync(client, "Engineer", "Acme");
        (await client.PostAsync($"/peregrine/api/jobs/{job}/applied", null)).EnsureSuccessStatusCode();

        var consent = await PsqlAsync($"SELECT * FROM telemetry_consent WHERE user_id = '{user}';");
        string events = string.Empty;
        await Eventually.UntilAsync(
            async () => (events = await PsqlAsync("SELECT user_id, event_type, occurred_at FROM usage_events ORDER BY occurred_at DESC LIMIT 20;"))
                .Contains(user, StringComparison.Ordinal),
            TimeSpan.FromSeconds(60),
            TimeSpan.FromSeconds(1));

        Assert.Contains(user, consent, StringComparison.Ordinal);
        Assert.Contains("job_applied", events, StringComparison.Ordinal);
        // "Check tables": the runbook's \dt, typed into the connected psql.
        var tables = await CommandLine.RunAsync("sh", ["-c", "echo '\\dt' | docker exec -i cf-platform-db psql -U cf_platform -d circuitforge_platform"], "/", DeployLayer.Command);
        Assert.Contains("subscriptions", tables.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRunbooksManualErasureLeavesNothingAndTheNextRequestStartsAnEmptyAccount()
    {
        var user = Guid.NewGuid().ToString();
        using var client = Bastion.SignedIn(Deployment.Bastion, user);
        (await client.PutAsJsonAsync("/peregrine/api/settings/privacy", new { usage_events = true })).EnsureSuccessStatusCode();
        await AiApi.CreateJobAsync(client, "Engineer", "Acme");

        // The runbook's "GDPR / Data deletion", as written (host path from .env).
        var remove = await CommandLine.RunAsync("rm", ["-rf", $"{Deployment.DataRoot}/{user}/"], "/", DeployLayer.Command);
        Assert.Equal(0, remove.ExitCode);
        await PsqlAsync($"DELETE FROM subscriptions WHERE user_id = '{user}';");

        Assert.False(Directory.Exists(Path.Combine(Deployment.DataRoot, user)));
        Assert.Equal("0", (await PsqlAsync(RowsOf(user), tuplesOnly: true)).Trim());
        Assert.Equal(0, await Bastion.JobCountAsync(client));
        Assert.True(File.Exists(Path.Combine(Deployment.DataRoot, user, "peregrine", "staging.db")), "the next request starts a new tree");
    }

    [Fact]
    public async Task VerifyAllExitsZeroInTheAppContainer()
    {
        using var client = Bastion.SignedIn(Deployment.Bastion, Guid.NewGuid().ToString());
        await AiApi.CreateJobAsync(client, "Engineer", "Acme");

        // -T: no terminal here, as in any script (the runbook's reader types it without).
        var output = await layer.Cloud.RunAsync(DeployLayer.Command, "exec", "-T", App, "dotnet", "Peregrine.Api.dll", "verify-all");

        Assert.DoesNotContain("broken:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterTheAppProcessIsKilledTheRestartPolicyBringsItBackWithItsData()
    {
        var user = Guid.NewGuid().ToString();
        using var client = Bastion.SignedIn(Deployment.Bastion, user);
        await AiApi.CreateJobAsync(client, "Engineer", "Acme");
        var before = await AppContainerAsync(layer.Cloud);

        // SIGKILL of the app's own process (PID 1 of its container) from the host: a crash, not a docker stop.
        Assert.Equal(0, (await CommandLine.RunAsync("kill", ["-KILL", before.HostPid.ToString(CultureInfo.InvariantCulture)], "/", DeployLayer.Command)).ExitCode);
        await Eventually.UntilAsync(async () => (await AppContainerAsync(layer.Cloud)).Restarts > before.Restarts, DeployLayer.Healthy, TimeSpan.FromSeconds(1));
        await layer.Cloud.WaitUntilHealthyAsync(DeployLayer.Healthy);

        Assert.Equal(1, await Bastion.JobCountAsync(client));
    }

    [Fact]
    public async Task DownThenUpKeepsEveryUsersFilesAndPlatformRows()
    {
        var user = Guid.NewGuid().ToString();
        using var client = Bastion.SignedIn(Deployment.Bastion, user);
        (await client.PutAsJsonAsync("/peregrine/api/settings/privacy", new { content_sharing = true })).EnsureSuccessStatusCode();
        await AiApi.CreateJobAsync(client, "Engineer", "Acme");

        // The runbook's Stop, then Start.
        await layer.Cloud.RunAsync(DeployLayer.Command, "down");
        await layer.Cloud.RunAsync(DeployLayer.Command, "--env-file", ".env", "up", "-d");
        await layer.Cloud.WaitUntilHealthyAsync(DeployLayer.Healthy);

        Assert.Equal(1, await Bastion.JobCountAsync(client));
        Assert.True((await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/privacy")).GetProperty("content_sharing").GetBoolean());
        Assert.Contains(user, await PsqlAsync($"SELECT user_id FROM subscriptions WHERE user_id = '{user}';"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAppsLogShowsTheRequest()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var client = Bastion.SignedIn(Deployment.Bastion, Guid.NewGuid().ToString());
        (await client.GetAsync($"/peregrine/api/session?probe={marker}")).EnsureSuccessStatusCode();

        // The runbook's Logs command without -f (which follows until interrupted).
        var logs = string.Empty;
        await Eventually.UntilAsync(
            async () => (logs = await layer.Cloud.RunAsync(DeployLayer.Command, "logs", App)).Contains(marker, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            TimeSpan.FromSeconds(1));

        var line = logs.Split('\n').First(line => line.Contains(marker, StringComparison.Ordinal) && line.Contains("Request finished", StringComparison.Ordinal));
        Assert.Contains("GET", line, StringComparison.Ordinal);
        Assert.Contains(" 200 ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("cf_session", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASignedInFormRenderedBeforeARestartStillPosts()
    {
        var user = Guid.NewGuid().ToString();
        using var client = Bastion.SignedIn(Deployment.Bastion, user);
        var form = await PageForm.RenderAsync(client, "/peregrine/");

        await layer.Cloud.RunAsync(DeployLayer.Command, "restart", App);
        await layer.Cloud.WaitUntilHealthyAsync(DeployLayer.Healthy);

        using var browser = Bastion.Client(Deployment.Bastion);
        using var posted = await form.PostAsync(browser, Bastion.SessionCookie(user), ("_handler", "add-urls"), ("Urls", "https://jobs.invalid/after-restart"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("1 new job(s) added", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAnExternalPlatformDbTheBundledOneIsNotStarted()
    {
        // The runbook's own .env: its PLATFORM_DB_URL names the website stack's server, and no profile is listed. Plus
        // what this engine needs: it lacks CAP_SYS_RESOURCE, so it cannot raise a container's limit above its own.
        var env = Path.Combine(Deployment.Path, "runbook.env");
        await File.WriteAllTextAsync(env, $"""
            CLOUD_MODE=true
            CLOUD_DATA_ROOT={Deployment.DataRoot}
            DIRECTUS_JWT_SECRET={TestTokens.JwtSecret}
            CF_SERVER_SECRET={Deployment.ServerSecret}
            PLATFORM_DB_URL=postgresql://cf_platform:elsewhere@host.docker.internal:5433/circuitforge_platform
            BASTION_HOST_PORT={LoopbackPort.Free()}
            API_OPEN_FILE_LIMIT={Deployment.OpenFileLimit}
            """);
        var external = new ComposeProject(Deployment, "compose.cloud.yml", "peregrine-external-db");
        try
        {
            await external.RunAsync(DeployLayer.Command, "--env-file", "runbook.env", "up", "-d");

            var services = (await external.ContainersAsync()).Select(container => container.Service).Order(StringComparer.Ordinal);
            Assert.Equal(["app", "app-data-owner", "bastion"], services);
            // Nothing answers at that address here: the app still serves, its platform features degraded until it does.
            await external.WaitUntilHealthyAsync(DeployLayer.Healthy);
        }
        finally
        {
            await external.TryRunAsync(DeployLayer.Command, "--env-file", "runbook.env", "down", "-v");
        }
    }

    /// <summary>
    /// The backup profile's service snapshots the instance on its own, and what it took restores: every user tree
    /// sampled, the platform dump, and the apps' Data Protection key ring, read from the same folder the apps keep it in.
    /// </summary>
    [Fact]
    public async Task TheScheduledBackupSnapshotsTheInstanceWithTheAppsKeyRing()
    {
        using var client = Bastion.SignedIn(Deployment.Bastion, Guid.NewGuid().ToString());
        await AiApi.CreateJobAsync(client, "Engineer", "Acme");

        var logs = string.Empty;
        try
        {
            await Eventually.UntilAsync(
                async () => (logs = await layer.Cloud.RunAsync(DeployLayer.Command, "logs", "backup")).Contains("backup-all: snapshot", StringComparison.Ordinal),
                TimeSpan.FromMinutes(5),
                TimeSpan.FromSeconds(3));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no snapshot in the backup service's log within 5 minutes:\n{ComposeProject.Tail(logs)}");
        }

        var verified = await layer.Cloud.RunAsync(TimeSpan.FromMinutes(5), "exec", "-T", "backup", "/app/peregrine", "verify-backup");

        var keyRing = Directory.GetFiles(Path.Combine(Deployment.DataRoot, ".data-protection"), "*.xml");
        Assert.NotEmpty(keyRing);
        Assert.Contains($"platform dump and {keyRing.Length} key file(s) checked", verified, StringComparison.Ordinal);
        Assert.Contains("; 0 problem(s)", verified, StringComparison.Ordinal);
        Assert.DoesNotContain(Deployment.ServerSecret, logs + verified, StringComparison.Ordinal);
    }

    private static string RowsOf(string user) =>
        $"SELECT (SELECT count(*) FROM subscriptions WHERE user_id = '{user}') + (SELECT count(*) FROM telemetry_consent WHERE user_id = '{user}') + (SELECT count(*) FROM usage_events WHERE user_id = '{user}');";

    /// <summary>The runbook's "Connect" command with one statement (<c>-c</c>).</summary>
    public static async Task<string> PsqlAsync(string sql, bool tuplesOnly = false)
    {
        string[] options = tuplesOnly ? ["-tA"] : [];
        var result = await CommandLine.RunAsync(
            "docker", ["exec", "cf-platform-db", "psql", "-U", "cf_platform", "-d", "circuitforge_platform", .. options, "-c", sql], "/", DeployLayer.Command);
        Assert.True(result.ExitCode == 0, $"psql {sql}: {result.Output}");
        return result.Output;
    }

    public static async Task<ContainerState> AppContainerAsync(ComposeProject project) =>
        (await project.ContainersAsync()).Single(container => container.Service == App);

    public static async Task<string> OwnerAndModeAsync(string path) =>
        (await CommandLine.RunAsync("stat", ["-c", "%u:%g %a", path], "/", TimeSpan.FromSeconds(10))).Output.Trim();

    // The service holds the file open in WAL mode: read a copy (with its WAL), never the live file.
    private static string CopyDatabase(string database, string directory)
    {
        var copy = Path.Combine(directory, "staging.db");
        File.Copy(database, copy);
        if (File.Exists(database + "-wal"))
        {
            File.Copy(database + "-wal", copy + "-wal");
        }

        return copy;
    }
}
