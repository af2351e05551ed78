using Dapper;
using Peregrine.Bench;
using Peregrine.Storage;

namespace Peregrine.HttpBench;

/// <summary>
/// Users seeded fast, straight onto a data root: one template DB of realistic jobs, copied by <c>VACUUM INTO</c> under
/// each user's key (seconds for thousands of users), as a restore leaves them. An Api started on that root serves them
/// as they are, and a shard started on it claims them.
/// </summary>
internal static class SeededUsers
{
    /// <summary>A DB of <paramref name="jobs"/> realistic jobs, all pending, under its own key: what every user's DB is copied from.</summary>
    public static DatabaseLocation Template(string directory, int jobs = 300)
    {
        var location = new DatabaseLocation("template", Path.Combine(directory, "staging.db"), DatabaseKey.Derive("capacity-template", "template"));
        Directory.CreateDirectory(directory);
        BenchJobs.Fill(location, jobs, BenchJobs.Realistic);
        return location;
    }

    /// <summary>Each user's DB: the template copied by <c>VACUUM INTO</c> straight into the user's key (as a restore leaves it).</summary>
    public static List<string> Seed(string dataRoot, DatabaseLocation template, int users, string serverSecret)
    {
        var ids = Enumerable.Range(0, users).Select(_ => Guid.NewGuid().ToString()).ToList();
        using var source = new UserDatabases().Open(template);
        var pending = source.ExecuteScalar<long>("SELECT count(*) FROM jobs WHERE status = 'pending';");
        foreach (var id in ids)
        {
            var path = Path.Combine(dataRoot, id, "peregrine", "staging.db");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Directory.CreateDirectory(Path.Combine(dataRoot, id, "peregrine", "config"));
            Directory.CreateDirectory(Path.Combine(dataRoot, id, "peregrine", "data"));
            var key = DatabaseKey.Derive(serverSecret, id);
            var target = $"file:{path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3F", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal)}"
                + $"?cipher=sqlcipher&legacy=4&key=x%27{key.ToHex()}%27";
            source.Execute($"VACUUM INTO '{target.Replace("'", "''", StringComparison.Ordinal)}';");
        }

        // The copy must open with the user's own key, or every request would fail.
        var first = new DatabaseLocation(ids[0], Path.Combine(dataRoot, ids[0], "peregrine", "staging.db"), DatabaseKey.Derive(serverSecret, ids[0]));
        using (var check = SqliteDatabase.Open(first.Path, first.Key, pooling: false))
        {
            if (check.ExecuteScalar<long>("SELECT count(*) FROM jobs WHERE status = 'pending';") != pending)
            {
                throw new InvalidOperationException($"the seeded DB does not hold the template's {pending} pending jobs");
            }
        }

        return ids;
    }
}
