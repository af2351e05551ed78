using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Demo.Limits;
using Peregrine.Demo.Seed;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Demo.Sandboxes;

/// <summary>
/// Every visitor's private copy of the seed, <c>&lt;root&gt;/sandboxes/&lt;visitor-id&gt;/</c> (plain SQLite and config:
/// the demo holds nothing secret). Known sandboxes form a least-recently-used list bounded by
/// <see cref="DemoOptions.MaxSandboxes"/>; one unused for <see cref="DemoOptions.IdleExpiry"/> is removed by
/// <see cref="SweepAsync"/>. All of them together are kept under <see cref="DemoOptions.MaxTotalBytes"/> the same way:
/// each sandbox's bytes are measured when it is created, when the last request that may have written to it ends, and
/// at each sweep (background tasks write too), and the least recently used idle ones leave until the total fits. A
/// sandbox in use by a request (<see cref="EnterAsync"/> until the lease is disposed) is never removed. Removal renames
/// the folder away first, so a returning visitor always gets a whole fresh copy.
/// </summary>
public sealed class DemoSandboxes(
    DemoPaths paths, DemoSeed seed, UserDatabases databases, IOptions<DemoOptions> options, IOptions<PeregrineOptions> peregrine,
    TimeProvider time, ILogger<DemoSandboxes> logger)
{
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ResetWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan MeasureEvery = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Sandbox> _byId = new(StringComparer.Ordinal);
    private readonly LinkedList<Sandbox> _recency = new();
    private long _totalBytes;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    public bool Exists(string visitorId)
    {
        lock (_gate)
        {
            return _byId.ContainsKey(visitorId);
        }
    }

    /// <summary>The sandboxes known now (the task runner's start-up scan looks for queued work among them).</summary>
    public IReadOnlyList<UserContext> Known()
    {
        lock (_gate)
        {
            return [.. _byId.Values.Select(s => s.User)];
        }
    }

    /// <summary>Bytes of all known sandboxes, as last measured.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_gate)
            {
                return _totalBytes;
            }
        }
    }

    public Task<SandboxLease> EnterAsync(string visitorId, CancellationToken cancellationToken) => EnterAsync(visitorId, writes: false, cancellationToken);

    /// <summary>
    /// The visitor's context (creating the sandbox from the seed if it has none); dispose the lease when the request
    /// ends. With <paramref name="writes"/>, the sandbox is measured again when the lease ends.
    /// </summary>
    public async Task<SandboxLease> EnterAsync(string visitorId, bool writes, CancellationToken cancellationToken)
    {
        Sandbox sandbox;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_byId.TryGetValue(visitorId, out var known))
            {
                sandbox = known;
                _recency.Remove(sandbox.Node);
                _recency.AddFirst(sandbox.Node);
            }
            else
            {
                sandbox = new Sandbox(UserFor(visitorId));
                sandbox.Ready = Task.Run(() => CreateOnDisk(sandbox), CancellationToken.None);
                _byId[visitorId] = sandbox;
                _recency.AddFirst(sandbox.Node);
            }

            sandbox.Active++;
            sandbox.LastUsed = now;
        }

        var lease = new SandboxLease(this, sandbox, writes);
        try
        {
            await sandbox.Ready.WaitAsync(cancellationToken);
        }
        catch
        {
            lease.Dispose();
            ForgetFailed(sandbox);
            throw;
        }

        Touch(sandbox, now);
        if (sandbox.MeasuredAt == DateTimeOffset.MinValue)
        {
            Measure(sandbox);
        }

        await TrimAsync();
        return lease;
    }

    /// <summary>Puts the seed back: a fresh copy is built beside the sandbox and swapped in once no connection has its DB open.</summary>
    public async Task ResetAsync(UserContext visitor, CancellationToken cancellationToken)
    {
        var fresh = CopyTemplate(visitor.UserId);
        try
        {
            using (await databases.HoldForReplacementAsync(visitor.Database, ResetWait, cancellationToken))
            {
                var old = Graveyard(visitor.UserId);
                Directory.Move(visitor.AppDirectory, old);
                Directory.Move(fresh, visitor.AppDirectory);
                fresh = old;
            }
        }
        finally
        {
            DemoSeed.DeleteIfExists(fresh);
        }
    }

    /// <summary>Removes every idle sandbox unused for <see cref="DemoOptions.IdleExpiry"/>; returns how many.</summary>
    public int Sweep()
    {
        var expiredBefore = time.GetUtcNow() - options.Value.IdleExpiry;
        List<Sandbox> expired;
        List<Sandbox> kept;
        lock (_gate)
        {
            expired = [.. _byId.Values.Where(s => s.Active == 0 && s.LastUsed <= expiredBefore)];
            foreach (var sandbox in expired)
            {
                Detach(sandbox);
            }

            kept = [.. _byId.Values];
        }

        Bury(expired);
        kept.ForEach(Measure);
        _ = TrimAsync();
        return expired.Count;
    }

    public Task<int> SweepAsync() => Task.Run(Sweep);

    /// <summary>
    /// Start-up: leftovers of interrupted work (names starting with '.') are removed, every sandbox on disk is known
    /// again with its folder's time as its last use, and the expired and the ones beyond the bound are removed.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(paths.Sandboxes);
        var found = new List<(string Id, DateTimeOffset LastUsed)>();
        foreach (var directory in Directory.EnumerateDirectories(paths.Sandboxes))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(directory);
            if (VisitorCookie.IsVisitorId(name))
            {
                found.Add((name, new DateTimeOffset(Directory.GetLastWriteTimeUtc(directory), TimeSpan.Zero)));
            }
            else
            {
                DemoSeed.DeleteIfExists(directory);
            }
        }

        lock (_gate)
        {
            foreach (var (id, lastUsed) in found.OrderBy(f => f.LastUsed))
            {
                var sandbox = new Sandbox(UserFor(id)) { LastUsed = lastUsed, Ready = Task.CompletedTask };
                _byId[id] = sandbox;
                _recency.AddFirst(sandbox.Node);
            }
        }

        var swept = Sweep();
        await TrimAsync();
        logger.LogInformation("Demo sandboxes at start-up: {Kept} kept, {Swept} expired", Count, swept);
    }

    internal void Exit(Sandbox sandbox, bool wrote)
    {
        bool measure;
        lock (_gate)
        {
            sandbox.Active--;
            sandbox.Written |= wrote;
            measure = sandbox.Active == 0 && (sandbox.Written || time.GetUtcNow() - sandbox.MeasuredAt > MeasureEvery);
        }

        if (measure)
        {
            Measure(sandbox);
            _ = TrimAsync();
        }
    }

    /// <summary>The sandbox's bytes on disk now, into the total (a sandbox already removed counts nothing).</summary>
    private void Measure(Sandbox sandbox)
    {
        var bytes = SandboxQuota.Bytes(sandbox.User.AppDirectory);
        lock (_gate)
        {
            sandbox.Written = false;
            sandbox.MeasuredAt = time.GetUtcNow();
            if (_byId.TryGetValue(sandbox.User.UserId, out var current) && current == sandbox)
            {
                _totalBytes += bytes - sandbox.Bytes;
                sandbox.Bytes = bytes;
            }
        }
    }

    private UserContext UserFor(string visitorId)
    {
        var directory = paths.Sandbox(visitorId);
        return new UserContext
        {
            UserId = visitorId,
            App = peregrine.Value.App,
            AppDirectory = directory,
            Database = new DatabaseLocation(visitorId, Path.Combine(directory, DemoSeed.DatabaseName), Key: null),
            IsCloud = false,
        };
    }

    private void CreateOnDisk(Sandbox sandbox)
    {
        var fresh = CopyTemplate(sandbox.User.UserId);
        // A folder with this name that the registry did not know (a task wrote after its removal) is not a sandbox.
        if (Directory.Exists(sandbox.User.AppDirectory))
        {
            var stray = Graveyard(sandbox.User.UserId);
            Directory.Move(sandbox.User.AppDirectory, stray);
            DemoSeed.DeleteIfExists(stray);
        }

        databases.Evict(sandbox.User.Database);
        Directory.Move(fresh, sandbox.User.AppDirectory);
    }

    /// <summary>A fresh copy of the template, its dates moved to today (the seed's interviews are always upcoming).</summary>
    private string CopyTemplate(string visitorId)
    {
        var copy = SandboxFolders.CopyTemplate(seed.TemplateDirectory, paths.Sandboxes, visitorId);
        try
        {
            SeedDates.MoveBy(Path.Combine(copy, DemoSeed.DatabaseName), SeedDates.DaysToMove(seed.Today, time.GetUtcNow()));
            return copy;
        }
        catch
        {
            DemoSeed.DeleteIfExists(copy);
            throw;
        }
    }

    private string Graveyard(string visitorId) => SandboxFolders.Graveyard(paths.Sandboxes, visitorId);

    /// <summary>Only idle sandboxes leave, least recently used first; while every one is busy the bounds are exceeded briefly.</summary>
    private Task TrimAsync()
    {
        var max = Math.Max(1, options.Value.MaxSandboxes);
        var budget = options.Value.MaxTotalBytes;
        List<Sandbox> evicted = [];
        lock (_gate)
        {
            for (var node = _recency.Last; node is not null && (_byId.Count > max || _totalBytes > budget);)
            {
                var previous = node.Previous;
                if (node.Value.Active == 0)
                {
                    Detach(node.Value);
                    evicted.Add(node.Value);
                }

                node = previous;
            }
        }

        return evicted.Count == 0 ? Task.CompletedTask : Task.Run(() => Bury(evicted));
    }

    /// <summary>Under the lock: out of the registry and renamed away, so a returning visitor's new copy never meets the old files.</summary>
    private void Detach(Sandbox sandbox)
    {
        _byId.Remove(sandbox.User.UserId);
        _recency.Remove(sandbox.Node);
        _totalBytes -= sandbox.Bytes;
        sandbox.Buried = Graveyard(sandbox.User.UserId);
        try
        {
            Directory.Move(sandbox.User.AppDirectory, sandbox.Buried);
        }
        catch (DirectoryNotFoundException)
        {
            sandbox.Buried = null;
        }

        databases.Evict(sandbox.User.Database);
    }

    private void Bury(IEnumerable<Sandbox> sandboxes)
    {
        foreach (var sandbox in sandboxes)
        {
            if (sandbox.Buried is { } buried)
            {
                DemoSeed.DeleteIfExists(buried);
            }

            databases.Forget(sandbox.User.Database);
        }
    }

    private void ForgetFailed(Sandbox sandbox)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(sandbox.User.UserId, out var current) && current == sandbox && sandbox.Ready.IsFaulted && sandbox.Active == 0)
            {
                _byId.Remove(sandbox.User.UserId);
                _recency.Remove(sandbox.Node);
                _totalBytes -= sandbox.Bytes;
            }
        }
    }

    /// <summary>The folder's time is the last use a restart can see; written at most once a minute per sandbox.</summary>
    private void Touch(Sandbox sandbox, DateTimeOffset now)
    {
        if (now - sandbox.LastTouched < TouchEvery)
        {
            return;
        }

        sandbox.LastTouched = now;
        try
        {
            Directory.SetLastWriteTimeUtc(sandbox.User.AppDirectory, now.UtcDateTime);
        }
        catch (IOException)
        {
        }
    }
}
