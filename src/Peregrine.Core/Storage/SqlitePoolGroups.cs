using System.Collections;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>
/// Drops Microsoft.Data.Sqlite's pool groups of one DB file. The library keeps a pool group per connection string, and
/// ours carry the user's raw key (<c>Password=</c>). <see cref="SqliteConnection.ClearPool"/> closes the handles but
/// keeps the group (and the released pool, with its parsed options) until the library's own timer prunes it: not in
/// the process's first 4 minutes, then 60–90 s after the group went idle. Every user touched in that window kept a
/// key and a few KB of memory (16 KB per new user measured). The library has no public way to drop a group, so this
/// reaches its internals, under the write side of the factory's own reader-writer lock: in Microsoft.Data.Sqlite 10
/// every read and write of the group map takes that lock (lookups and additions in <c>GetPoolGroup</c>, the prune
/// timer's replacement), so removing an entry in place under it is what the library's own code could do. Enumerating
/// the map under any other lock raced a user's first open and failed with "Collection was modified".
/// Version-specific by nature; <see cref="IsSupported"/> says whether the internals were found (a version without the
/// lock has no <c>_lock</c> field and is refused), and a unit test fails when an upgrade moves them.
/// <para>
/// Two ways in: <see cref="ForgetGroup"/> removes one known connection string's group, in constant time, and is what
/// the pool runs on every eviction; <see cref="Forget"/> looks at every group for any naming the file, in time
/// proportional to the groups held (5 ms at 5,000 pooled DBs, <c>pool-forget</c> bench), for the rare replacement of a
/// file whose connection strings are not all known (a rotation's previous key, an erasure).
/// </para>
/// </summary>
internal static class SqlitePoolGroups
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    private static readonly Internals? Library = Internals.Find();

    /// <summary>Whether this version of Microsoft.Data.Sqlite has the internals the removal needs.</summary>
    public static bool IsSupported => Library is not null;

    /// <summary>Closes the idle pooled handles of <paramref name="connectionString"/>; its group stays until <see cref="Forget"/>.</summary>
    public static void ClearPool(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>
    /// Forgets every idle pool group and released pool whose file is <paramref name="databasePath"/> or a temp beside
    /// it (preparation's unpooled opens included). A group whose pool still has a connection out stays: it is either a
    /// connection that has not closed yet (the caller forgets again when it does) or a newer open of the file.
    /// </summary>
    public static void Forget(string databasePath) => Library?.Remove(databasePath);

    /// <summary>
    /// Forgets the group of exactly <paramref name="connectionString"/>, and its released pool, when no connection of
    /// it is out: what a pooled file's eviction and an unpooled connection's disposal leave behind.
    /// </summary>
    public static void ForgetGroup(string connectionString) => Library?.RemoveGroup(connectionString);

    /// <summary>The connection strings Microsoft.Data.Sqlite still holds (groups and released pools): what tests look for keys in.</summary>
    internal static IReadOnlyList<string> HeldConnectionStrings() =>
        Library?.HeldConnectionStrings() ?? throw new NotSupportedException("Microsoft.Data.Sqlite's pool internals were not found");

    /// <summary>True when <paramref name="dataSource"/> (a path or a <c>file:</c> URI as <see cref="SqliteDatabase"/> writes it) names the file or a temp beside it.</summary>
    internal static bool Names(string dataSource, string databasePath)
    {
        var path = dataSource;
        if (path.StartsWith("file:", StringComparison.Ordinal))
        {
            var query = path.IndexOf('?', StringComparison.Ordinal);
            path = (query < 0 ? path[5..] : path[5..query])
                .Replace("%3F", "?", StringComparison.Ordinal)
                .Replace("%23", "#", StringComparison.Ordinal)
                .Replace("%25", "%", StringComparison.Ordinal);
        }

        return path.StartsWith(databasePath, StringComparison.Ordinal);
    }

    private sealed class Internals(
        object factory,
        ReaderWriterLockSlim factoryLock,
        FieldInfo poolGroups,
        FieldInfo poolsToRelease,
        PropertyInfo groupOptions,
        FieldInfo groupPool,
        FieldInfo poolOptions,
        PropertyInfo poolCount)
    {
        public static Internals? Find()
        {
            var assembly = typeof(SqliteConnection).Assembly;
            var factoryType = assembly.GetType("Microsoft.Data.Sqlite.SqliteConnectionFactory");
            var groupType = assembly.GetType("Microsoft.Data.Sqlite.SqliteConnectionPoolGroup");
            var poolType = assembly.GetType("Microsoft.Data.Sqlite.SqliteConnectionPool");
            var factory = factoryType?.GetField("Instance", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(null);
            var poolGroups = factoryType?.GetField("_poolGroups", Instance);
            var factoryLock = factory is null ? null : factoryType!.GetField("_lock", Instance)?.GetValue(factory) as ReaderWriterLockSlim;
            var poolsToRelease = factoryType?.GetField("_poolsToRelease", Instance);
            var groupOptions = groupType?.GetProperty("ConnectionOptions", Instance);
            var groupPool = groupType?.GetField("_pool", Instance);
            var poolOptions = poolType?.GetField("_connectionOptions", Instance);
            var poolCount = poolType?.GetProperty("Count", Instance);
            return factory is null || factoryLock is null || poolGroups is null || poolsToRelease is null || groupOptions is null || groupPool is null || poolOptions is null || poolCount is null
                || !typeof(IDictionary).IsAssignableFrom(poolGroups.FieldType) || !typeof(IList).IsAssignableFrom(poolsToRelease.FieldType)
                ? null
                : new Internals(factory, factoryLock, poolGroups, poolsToRelease, groupOptions, groupPool, poolOptions, poolCount);
        }

        public void Remove(string databasePath)
        {
            factoryLock.EnterWriteLock();
            try
            {
                var groups = (IDictionary)poolGroups.GetValue(factory)!;
                List<object>? doomed = null;
                foreach (DictionaryEntry entry in groups)
                {
                    // A group whose pool has handles again belongs to a newer open of the file: it stays.
                    if (Names(GroupSource(entry.Value!), databasePath) && IsIdle(groupPool.GetValue(entry.Value!)))
                    {
                        (doomed ??= []).Add(entry.Key);
                    }
                }

                foreach (var key in doomed ?? [])
                {
                    groups.Remove(key);
                }
            }
            finally
            {
                factoryLock.ExitWriteLock();
            }

            RemoveReleasedPools(dataSource => Names(dataSource, databasePath));
        }

        public void RemoveGroup(string connectionString)
        {
            string? dataSource = null;
            factoryLock.EnterWriteLock();
            try
            {
                var groups = (IDictionary)poolGroups.GetValue(factory)!;
                if (groups[connectionString] is { } group && IsIdle(groupPool.GetValue(group)))
                {
                    dataSource = GroupSource(group);
                    groups.Remove(connectionString);
                }
            }
            finally
            {
                factoryLock.ExitWriteLock();
            }

            if (dataSource is not null)
            {
                RemoveReleasedPools(source => source == dataSource);
            }
        }

        /// <summary>
        /// Drops the released pools (those <see cref="SqliteConnection.ClearPool"/> handed to the library's timer) of a
        /// file. Short: every eviction's forget takes its own back out, so only pools released elsewhere wait here.
        /// </summary>
        private void RemoveReleasedPools(Func<string, bool> ofFile)
        {
            var released = (IList)poolsToRelease.GetValue(factory)!;
            lock (released)
            {
                for (var i = released.Count - 1; i >= 0; i--)
                {
                    var pool = released[i]!;
                    // A pool with connections still out stays for the library's timer; the caller forgets again when they close.
                    if (IsIdle(pool) && ofFile(((SqliteConnectionStringBuilder)poolOptions.GetValue(pool)!).DataSource))
                    {
                        released.RemoveAt(i);
                    }
                }
            }
        }

        public List<string> HeldConnectionStrings()
        {
            var held = new List<string>();
            factoryLock.EnterReadLock();
            try
            {
                foreach (DictionaryEntry entry in (IDictionary)poolGroups.GetValue(factory)!)
                {
                    held.Add((string)entry.Key);
                }
            }
            finally
            {
                factoryLock.ExitReadLock();
            }

            var released = (IList)poolsToRelease.GetValue(factory)!;
            lock (released)
            {
                foreach (var pool in released)
                {
                    held.Add(((SqliteConnectionStringBuilder)poolOptions.GetValue(pool!)!).ConnectionString);
                }
            }

            return held;
        }

        private bool IsIdle(object? pool) => pool is null || (int)poolCount.GetValue(pool)! == 0;

        private string GroupSource(object group) => ((SqliteConnectionStringBuilder)groupOptions.GetValue(group)!).DataSource;
    }
}
