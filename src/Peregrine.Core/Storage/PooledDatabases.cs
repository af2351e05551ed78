namespace Peregrine.Storage;

/// <summary>
/// The DB files allowed to keep pooled handles, evicted by recency and frequency (a segmented LRU) rather than by
/// recency alone. A file enters on probation; its second use promotes it to the protected segment (most of the pool),
/// and eviction takes the least recently used file on probation first. So a user mid-session (two requests or more)
/// is not thrown out by a stream of files used once: new users' first requests, a task's one step, an operator's scan.
/// <see cref="Touch"/> reports which files fell out, so the caller can close them outside this lock.
/// </summary>
internal sealed class PooledDatabases
{
    /// <summary>The share of the pool kept for files used more than once.</summary>
    private const double ProtectedShare = 0.8;

    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly int _protectedCapacity;
    private readonly LinkedList<(string Path, string ConnectionString)> _probation = new();
    private readonly LinkedList<(string Path, string ConnectionString)> _protected = new();
    private readonly Dictionary<string, LinkedListNode<(string Path, string ConnectionString)>> _byPath = new(StringComparer.Ordinal);

    public PooledDatabases(int capacity)
    {
        _capacity = Math.Max(1, capacity);
        _protectedCapacity = Math.Max(1, (int)(_capacity * ProtectedShare));
    }

    public int Capacity => _capacity;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byPath.Count;
            }
        }
    }

    /// <summary>Marks <paramref name="path"/> used; returns the files evicted to stay in bounds.</summary>
    public IReadOnlyList<(string Path, string ConnectionString)> Touch(string path, string connectionString)
    {
        lock (_gate)
        {
            if (_byPath.TryGetValue(path, out var node))
            {
                node.List!.Remove(node);
                _protected.AddFirst(node);
                if (_protected.Count > _protectedCapacity)
                {
                    // The protected segment's least recently used file goes back on probation, not out.
                    var demoted = _protected.Last!;
                    _protected.RemoveLast();
                    _probation.AddFirst(demoted);
                }

                return [];
            }

            _byPath[path] = _probation.AddFirst((path, connectionString));
            List<(string Path, string ConnectionString)>? evicted = null;
            while (_byPath.Count > _capacity)
            {
                var victim = (_probation.Count > 0 ? _probation : _protected).Last!;
                victim.List!.RemoveLast();
                _byPath.Remove(victim.Value.Path);
                (evicted ??= []).Add(victim.Value);
            }

            return evicted ?? (IReadOnlyList<(string Path, string ConnectionString)>)[];
        }
    }

    public bool Contains(string path)
    {
        lock (_gate)
        {
            return _byPath.ContainsKey(path);
        }
    }

    public string? Remove(string path)
    {
        lock (_gate)
        {
            if (!_byPath.Remove(path, out var node))
            {
                return null;
            }

            node.List!.Remove(node);
            return node.Value.ConnectionString;
        }
    }
}
