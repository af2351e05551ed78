using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Peregrine.Storage;

namespace Peregrine.Bench.Capacity;

/// <summary>
/// What re-opening a user's DB costs, step by step, against the same user's warm request (a pooled handle): the cold
/// path a user pays when their DB left the pool during their think time. Users of 300 realistic jobs, as the capacity
/// workload. Each step is timed over every user and reported as its median and its ratio to the warm request.
/// <c>dotnet run -c Release --project bench/Peregrine.Bench -- cold-open [users]</c>
/// </summary>
internal static class ColdOpen
{
    private const string Counts = "SELECT status, count(*) AS count FROM jobs GROUP BY status;";
    private const string Page = """
        SELECT id, title, company, url, match_score FROM jobs WHERE status = 'pending'
        ORDER BY match_score DESC, id DESC LIMIT 20;
        """;

    public static void Run(int users)
    {
        var root = Directory.CreateTempSubdirectory("peregrine-cold-open-").FullName;
        try
        {
            var locations = Enumerable.Range(0, users).Select(i =>
            {
                var user = Guid.NewGuid().ToString();
                var location = new DatabaseLocation(user, Path.Combine(root, user, "peregrine", "staging.db"), DatabaseKey.Derive("cold-open-bench", user));
                Directory.CreateDirectory(Path.GetDirectoryName(location.Path)!);
                BenchJobs.Fill(location, 300, BenchJobs.Realistic);
                using (var connection = new UserDatabases().Open(location))
                {
                    // As a restored or long-idle DB is: its WAL folded in.
                    connection.Execute("PRAGMA wal_checkpoint(TRUNCATE);");
                }

                return location;
            }).ToList();
            Console.WriteLine($"cold-open: {users} users of 300 jobs each, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

            // The filling pools hold every file. A file that another handle holds skips the first opener's work (the
            // -shm reset, the WAL-index recovery) and the last closer's (the unmapping), so nothing may hold a file
            // while its open or close is timed: in the Api nothing does once the evicted handle is closed.
            SqliteConnectionPoolsCleared();
            var newHandle = Time(locations, location => SqliteDatabase.Open(location.Path, location.Key).Dispose());
            var lastClose = Time(locations, location => SqlitePoolGroups.ClearPool(SqliteDatabase.ConnectionString(location.Path, location.Key)));

            var warmPool = new UserDatabases(new StorageOptions { MaxPooledDatabases = users * 2 });
            foreach (var location in locations)
            {
                Request(warmPool, location);
            }

            var rows = new List<(string Step, double Median)>();
            var warm = Time(locations, location => Request(warmPool, location));
            rows.Add(("warm request's storage: pooled open + counts + a page of 20 (baseline)", warm));
            rows.Add(("  statx identity", Time(locations, location => FileIdentity.Of(location.Path))));
            rows.Add(("  key record read", Time(locations, location => KeyRecord.Read(location.Path))));
            rows.Add(("  open + key + schema read (a new pooled handle, the file's only one)", newHandle));
            rows.Add(("  close (a pooled handle, the file's last one: what an eviction runs)", lastClose));
            rows.Add(("  open + key + schema read + close while another handle holds the file (for scale)",
                Time(locations, location => SqliteDatabase.Open(location.Path, location.Key, pooling: false).Dispose())));
            SqliteConnectionPoolsCleared();
            var preparation = new DatabasePreparation(new StorageOptions(), TimeProvider.System, NullLogger.Instance);
            rows.Add(("  preparation (rekey check, legacy check, WAL, migrations, interrupted tasks)", Time(locations, location => preparation.Prepare(location, location.Path))));
            SqliteConnectionPoolsCleared();

            // A pool of one: every open evicts the previous user, so each request is this process's re-open of a file
            // it prepared before, and each eviction closes a handle (the close's writes count here). The first pass
            // prepares every file; after it, no handle but the last user's is open.
            var onePool = new UserDatabases(new StorageOptions { MaxPooledDatabases = 1 });
            foreach (var location in locations)
            {
                Request(onePool, location);
            }

            rows.Add(("cold request's storage: re-open after eviction + counts + a page of 20", Time(locations, location => Request(onePool, location))));
            rows.Add(("  of which its open (the evicted handle's close, then a new handle)", Time(locations, location => onePool.Open(location).Dispose())));
            var freshProcess = Time(locations, location => Request(new UserDatabases(new StorageOptions { MaxPooledDatabases = 1 }), location));
            rows.Add(("first request of a process: preparation + open + counts + a page of 20 (for scale)", freshProcess));

            Console.WriteLine();
            Console.WriteLine("| Step | Median CPU | ÷ warm |");
            Console.WriteLine("|---|---|---|");
            foreach (var (step, median) in rows)
            {
                Console.WriteLine($"| {step} | {median * 1000:F0} µs | {median / warm:F2} |");
            }
        }
        finally
        {
            SqliteConnectionPoolsCleared();
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Request(UserDatabases databases, DatabaseLocation location)
    {
        using var connection = databases.Open(location);
        connection.Query(Counts).AsList();
        connection.Query(Page).AsList();
    }

    /// <summary>
    /// Median milliseconds of this thread's CPU time for <paramref name="step"/> over every user: CPU, not wall time,
    /// because the host is shared and a step's wall time there is mostly other people's work.
    /// </summary>
    private static double Time(List<DatabaseLocation> locations, Action<DatabaseLocation> step)
    {
        var times = new List<double>(locations.Count);
        foreach (var location in locations)
        {
            var before = ThreadCpu.Now();
            step(location);
            times.Add((ThreadCpu.Now() - before).TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static void SqliteConnectionPoolsCleared() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
}
