using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Dapper;
using Peregrine.Bench;
using Peregrine.HttpBench;
using Peregrine.Storage;

// Issue 11's HTTP benchmark: Release Api processes (cloud mode, encrypted; local mode, plaintext), the committed
// Caddy bastion in front of the cloud one, wrk as the load. Everything it reports is a ratio from this one run.
var quick = args.Contains("--quick");
var duration = TimeSpan.FromSeconds(quick ? 3 : 8);
var usersOnly = args.Contains("--users-only"); // (c) and (d) alone: the quick loop while chasing per-user memory
var pagesOnly = args.Contains("--pages-only"); // (e) alone: what a page costs the server, beside a JSON route
var newUsers = args.SkipWhile(a => a != "--users").Skip(1).Select(int.Parse).FirstOrDefault(quick ? 2_000 : 10_000);
const string ServerSecret = "bench-server-secret";
const string List = "/peregrine/api/jobs?limit=500";
const string Session = "/peregrine/api/session";

var root = Directory.CreateTempSubdirectory("peregrine-httpbench-").FullName;
var table = new Report();
try
{
    Console.WriteLine($"peregrine http bench ({(quick ? "quick" : "full")}), scratch {root}");
    var small = Guid.NewGuid().ToString();
    var large = Guid.NewGuid().ToString();
    Seed(new DatabaseLocation(small, Path.Combine(root, "cloud", small, "peregrine", "staging.db"), DatabaseKey.Derive(ServerSecret, small)), 500);
    // (e)'s user: 500 jobs too, a fifth of them along the interview pipeline (kept apart, so (a) and (b) list 500).
    var seeker = Guid.NewGuid().ToString();
    var seekerDb = new DatabaseLocation(seeker, Path.Combine(root, "cloud", seeker, "peregrine", "staging.db"), DatabaseKey.Derive(ServerSecret, seeker));
    Seed(seekerDb, 500);
    var pipelineJob = Pipeline(seekerDb);
    Seed(new DatabaseLocation(large, Path.Combine(root, "cloud", large, "peregrine", "staging.db"), DatabaseKey.Derive(ServerSecret, large)), 10_000);
    Seed(new DatabaseLocation("local", Path.Combine(root, "local-500", "staging.db"), null), 500);
    Seed(new DatabaseLocation("local", Path.Combine(root, "local-10000", "staging.db"), null), 10_000);

    var cloudEnvironment = new Dictionary<string, string>
    {
        ["CLOUD_MODE"] = "true",
        ["CLOUD_DATA_ROOT"] = Path.Combine(root, "cloud"),
        ["DIRECTUS_JWT_SECRET"] = BenchTokens.JwtSecret,
        ["CF_SERVER_SECRET"] = ServerSecret,
    };
    if (Environment.GetEnvironmentVariable("PLATFORM_DB_URL") is { Length: > 0 } platformDb)
    {
        cloudEnvironment["PLATFORM_DB_URL"] = platformDb;
    }

    if (args.Contains("--shards"))
    {
        // The shard series (eng/bench-shards.sh): shard processes of its own, on databases of its own on that Postgres.
        return await ShardRun.RunAsync(args, root, cloudEnvironment, ServerSecret);
    }

    if (args.Contains("--capacity"))
    {
        // The capacity series (eng/bench-capacity.sh): its own Api per path, its own users.
        return await CapacityRun.RunAsync(CapacityRun.Parse(args), root, cloudEnvironment, Path.Combine(RepositoryRoot(), "deploy", "bastion"), ServerSecret);
    }

    // (d) measures what a user leaves behind once their DB leaves the pool, so the pool is held at 256 here: sized from
    // this host it would keep all 10,000 users open, and (d) would measure the pool instead.
    cloudEnvironment["Storage__MaxPooledDatabases"] = "256";
    await using var cloud = await Server.ApiAsync("cloud", cloudEnvironment);
    await using var local500 = await Server.ApiAsync("local-500", new Dictionary<string, string> { ["STAGING_DB"] = Path.Combine(root, "local-500", "staging.db") });
    await using var local10k = await Server.ApiAsync("local-10000", new Dictionary<string, string> { ["STAGING_DB"] = Path.Combine(root, "local-10000", "staging.db") });
    await using var bastion = await Server.BastionAsync(Path.Combine(RepositoryRoot(), "deploy", "bastion"), cloud.Port, Path.Combine(root, "bastion-access.log"));
    var cookies = new Dictionary<string, string> { [small] = $"cf_session={BenchTokens.Session(small)}", [large] = $"cf_session={BenchTokens.Session(large)}", [seeker] = $"cf_session={BenchTokens.Session(seeker)}" };

    await ExpectJobsAsync(cloud.Url(List), cookies[small], 500);
    await ExpectJobsAsync(local10k.Url(List), null, 500);

    // (a) encrypted cloud vs plaintext local, warm list of 500.
    foreach (var (jobs, user, local) in usersOnly || pagesOnly ? [] : new[] { (500, small, local500), (10_000, large, local10k) })
    {
        foreach (var connections in new[] { 1, 16 })
        {
            var (cloudRate, localRate) = await Wrk.CompareAsync((cloud.Url(List), cookies[user]), (local.Url(List), null), connections, duration);
            table.Add($"(a) list, {jobs:N0} jobs, c={connections}: encrypted ÷ plaintext", cloudRate, localRate, "≥ 0.90");
        }
    }

    foreach (var connections in usersOnly || pagesOnly ? [] : new[] { 1, 16 })
    {
        var (largeRate, smallRate) = await Wrk.CompareAsync((cloud.Url(List), cookies[large]), (cloud.Url(List), cookies[small]), connections, duration);
        table.Add($"(a) encrypted list, c={connections}: 10,000-job ÷ 500-job user", largeRate, smallRate, "≥ 0.67 (within 1.5×)");
    }

    // (b) bastion vs direct.
    foreach (var (path, name, target) in usersOnly || pagesOnly ? [] : new[] { (List, "list (500 jobs)", "≥ 0.85"), (Session, "/api/session", "≥ 0.50") })
    {
        foreach (var connections in new[] { 1, 16 })
        {
            var (through, direct) = await Wrk.CompareAsync((bastion.Url(path), cookies[small]), (cloud.Url(path), cookies[small]), connections, duration);
            table.Add($"(b) {name}, c={connections}: bastion ÷ direct", through, direct, target);
        }
    }

    // (e) the web UI's server time: pages of a 500-job user (100 of them along the interview pipeline), p50 at one
    // connection, each as a multiple of a JSON route measured in the same run.
    if (!usersOnly)
    {
        var session = await Wrk.MedianMillisecondsAsync(cloud.Url(Session), cookies[seeker], duration);
        table.AddFigure("(e) /api/session (JSON, the scale), p50 at c=1, 500-job user", $"{session:F2} ms", string.Empty);
        foreach (var (path, name, target) in new[]
        {
            ("/peregrine/review", "Review page", ""),
            ("/peregrine/settings/profile", "Settings → Profile page", ""),
            ($"/peregrine/jobs/{pipelineJob}", "Job page (letter, questions, research)", "≤ 10× /api/session"),
            ("/peregrine/interviews", "Interviews board (100 jobs in stages)", "≤ 10× /api/session"),
        })
        {
            var page = await Wrk.MedianMillisecondsAsync(cloud.Url(path), cookies[seeker], duration);
            table.AddFigure($"(e) {name}, p50 at c=1, 500-job user", $"{page:F2} ms = {page / session:F1}× /api/session", target);
        }
    }

    if (pagesOnly)
    {
        Console.WriteLine();
        Console.WriteLine(table.ToMarkdown());
        return 0;
    }

    // The floor under (b): the same bastion in front of an upstream that costs nothing (a fixed response).
    await using var fixedResponse = await Server.FixedResponseAsync(root);
    await using var fixedBastion = await Server.BastionAsync(Path.Combine(RepositoryRoot(), "deploy", "bastion"), fixedResponse.Port, Path.Combine(root, "fixed-bastion-access.log"));
    foreach (var connections in usersOnly ? [] : new[] { 1, 16 })
    {
        var (through, direct) = await Wrk.CompareAsync((fixedBastion.Url(Session), null), (fixedResponse.Url(Session), null), connections, duration);
        table.Add($"(b) floor, c={connections}: bastion ÷ direct to a fixed response (the proxy's own cost)", through, direct, "the ceiling for (b)");
    }

    // The floor under (c): what storage alone costs a new user (create, prepare and open an encrypted DB, one query),
    // timed in this process, so the first request's overhead over it (HTTP, session, provisioning, Postgres) shows.
    var storageFloor = StorageFloor(Path.Combine(root, "floor"), 1_000);

    // (c) and (d): new users one after another; the first 1,000 are timed, memory and descriptors sampled per 1,000.
    using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    var firstRequests = new List<double>();
    var samples = new List<(int Users, long RssKiB, int OpenFiles)>();
    var (_, filesBefore) = await ProcessProbe.SampleAfterGcAsync(cloud.Pid);
    var touching = Stopwatch.StartNew();
    for (var i = 1; i <= newUsers; i++)
    {
        var user = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, cloud.Url(Session));
        request.Headers.Add("Cookie", $"cf_session={BenchTokens.Session(user)}");
        var clock = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        clock.Stop();
        response.EnsureSuccessStatusCode();
        if (i <= 1_000)
        {
            firstRequests.Add(clock.Elapsed.TotalMilliseconds);
        }

        if (i % 1_000 == 0)
        {
            var (rss, files) = await ProcessProbe.SampleAfterGcAsync(cloud.Pid);
            samples.Add((i, rss, files));
            Console.WriteLine($"  {i,6:N0} users: RSS {rss / 1024.0:F1} MB, open files {files}");
        }
    }

    double Percentile(double p) => Percentiles.Of(firstRequests, p);
    table.AddFigure("(c) first request of 1,000 new users, p50 / p90 / p99", $"{Percentile(0.50):F1} / {Percentile(0.90):F1} / {Percentile(0.99):F1} ms", "p50 ≤ 8 ms, p99 ≤ 40 ms");
    table.AddFigure("(c) floor: a new user's DB alone (create, prepare, open, query), p50 / p99", $"{storageFloor.P50:F1} / {storageFloor.P99:F1} ms", $"first request ÷ floor at p50: {Percentile(0.50) / storageFloor.P50:F2}");
    // Two slopes: the first half includes the warm-up (the pool filling to its 256 DBs, the GC and malloc settling),
    // the second half is what each further user costs once the process is in its steady state.
    double Slope((int Users, long RssKiB, int OpenFiles) from, (int Users, long RssKiB, int OpenFiles) to) => (to.RssKiB - from.RssKiB) / (double)(to.Users - from.Users);
    var middle = samples[(samples.Count - 1) / 2];
    table.AddFigure($"(d) RSS growth after GC, {samples[0].Users:N0} → {middle.Users:N0} users (warm-up)", $"{Slope(samples[0], middle):F2} KB per user", "");
    table.AddFigure($"(d) RSS growth after GC, {middle.Users:N0} → {samples[^1].Users:N0} users", $"{Slope(middle, samples[^1]):F2} KB per user", "≤ 2 KB per user");
    // The key-lifetime measure: every user touched once, about 25 a second, so Microsoft.Data.Sqlite's own pruning
    // (not before 4 minutes, then 60-90 s after a pool group goes idle) cannot be what bounds the memory.
    table.AddFigure(
        $"(d) RSS growth after GC, {samples[0].Users:N0} → {samples[^1].Users:N0} users, all touched in {touching.Elapsed.TotalSeconds:F0} s",
        $"{Slope(samples[0], samples[^1]):F2} KB per user", "≤ 5 KB per user");
    table.AddFigure(
        $"(d) open files before new users, then at {string.Join(" / ", samples.Select(s => $"{s.Users / 1000}k"))} users",
        $"{filesBefore}, then {string.Join(" / ", samples.Select(s => s.OpenFiles.ToString(CultureInfo.InvariantCulture)))}",
        "bounded by the pool (256 DBs × db, -wal, -shm)");

    Console.WriteLine();
    Console.WriteLine(table.ToMarkdown());
    return 0;
}
finally
{
    Directory.Delete(root, recursive: true);
}

static void Seed(DatabaseLocation location, int jobs)
{
    Directory.CreateDirectory(Path.GetDirectoryName(location.Path)!);
    BenchJobs.Fill(location, jobs, BenchJobs.Realistic);
}

// A fifth of the jobs along the interview pipeline, some with interview dates, and one with a letter and notes: the
// pages of (e) then draw what a job seeker in the middle of a search sees. Returns that one job's id.
static long Pipeline(DatabaseLocation location)
{
    using var connection = new UserDatabases().Open(location);
    connection.Execute("""
        UPDATE jobs SET
            status = CASE id % 5 WHEN 0 THEN 'applied' WHEN 1 THEN 'phone_screen' WHEN 2 THEN 'interviewing' WHEN 3 THEN 'offer' ELSE 'rejected' END,
            applied_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-10 days'),
            interview_date = CASE WHEN id % 5 IN (1, 2) THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now', printf('+%d days', id % 20 - 5)) END
        WHERE id <= 100;
        UPDATE jobs SET cover_letter = 'Dear hiring team,' || char(10) || char(10) || 'I would love to join.' || char(10) || char(10) || 'Sincerely,' || char(10) || 'Ada'
        WHERE id = 2;
        INSERT INTO interview_notes (job_id, notes, updated_at) VALUES (2, 'Recruiter: Sam. Asked about on-call.', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
        """);
    return 2;
}

static (double P50, double P99) StorageFloor(string directory, int users)
{
    var databases = new UserDatabases();
    var times = new List<double>(users);
    for (var i = 0; i < users; i++)
    {
        var user = Guid.NewGuid().ToString();
        var location = new DatabaseLocation(user, Path.Combine(directory, user, "peregrine", "staging.db"), DatabaseKey.Derive(ServerSecret, user));
        var clock = Stopwatch.StartNew();
        using (var connection = databases.Open(location))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT count(*) FROM jobs;";
            command.ExecuteScalar();
        }

        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    return (times[users / 2], times[(int)(users * 0.99)]);
}

static async Task ExpectJobsAsync(string url, string? cookie, int count)
{
    using var client = new HttpClient();
    using var request = new HttpRequestMessage(HttpMethod.Get, url);
    if (cookie is not null)
    {
        request.Headers.Add("Cookie", cookie);
    }

    using var response = await client.SendAsync(request);
    response.EnsureSuccessStatusCode();
    var jobs = await response.Content.ReadFromJsonAsync<List<System.Text.Json.JsonElement>>();
    if (jobs?.Count != count)
    {
        throw new InvalidOperationException($"{url} answered {jobs?.Count} jobs, expected {count}");
    }
}

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Peregrine.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("run the bench from inside the repository (no Peregrine.sln above it)");
}
