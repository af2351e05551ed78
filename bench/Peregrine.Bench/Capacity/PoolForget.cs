using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Bench.Capacity;

/// <summary>
/// What forgetting one retired DB's pool groups costs as Microsoft.Data.Sqlite holds more groups (one per pooled DB):
/// the search through every group (<see cref="SqlitePoolGroups.Forget"/>, which every eviction ran before) against the
/// removal of the one known group (<see cref="SqlitePoolGroups.ForgetGroup"/>, what an eviction runs now). An instance
/// that churns through more users than its pool pays it per request, under the library's lock that every open takes.
/// <c>dotnet run -c Release --project bench/Peregrine.Bench -- pool-forget</c>
/// </summary>
internal static class PoolForget
{
    public static void Run()
    {
        var root = Directory.CreateTempSubdirectory("peregrine-pool-forget-").FullName;
        try
        {
            Console.WriteLine("| Pool groups held | Search by file (Forget), median | Exact group (ForgetGroup), median | Search ÷ exact |");
            Console.WriteLine("|---|---|---|---|");
            var held = 0;
            foreach (var groups in new[] { 100, 1_000, 5_000, 20_000 })
            {
                // A group per connection string: what the library keeps for each pooled DB (the key included).
                for (; held < groups; held++)
                {
                    _ = new SqliteConnection(ConnectionString(root, held)).ConnectionString;
                }

                var search = Median(root, SqlitePoolGroups.Forget, (path, _) => path);
                var exact = Median(root, SqlitePoolGroups.ForgetGroup, (_, connectionString) => connectionString);
                Console.WriteLine($"| {groups:N0} | {search:F1} µs | {exact:F1} µs | {search / exact:F0} |");
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Median microseconds of <paramref name="forget"/> over 400 files, each with its group just created.</summary>
    private static double Median(string root, Action<string> forget, Func<string, string, string> argument)
    {
        var times = new List<double>();
        for (var i = 0; i < 400; i++)
        {
            var path = Path.Combine(root, $"forgotten-{i}", "staging.db");
            var connectionString = SqliteDatabase.ConnectionString(path, DatabaseKey.Derive("pool-forget", "forgotten"));
            _ = new SqliteConnection(connectionString).ConnectionString;
            var started = Stopwatch.GetTimestamp();
            forget(argument(path, connectionString));
            times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static string ConnectionString(string root, int user) =>
        SqliteDatabase.ConnectionString(Path.Combine(root, user.ToString("D6"), "staging.db"), DatabaseKey.Derive("pool-forget", user.ToString()));
}
