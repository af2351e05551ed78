namespace Peregrine.Storage;

/// <summary>
/// The least-recently-used set of DB files allowed to keep pooled handles. <see cref="Touch"/> reports which files
/// fell out, so the caller can clear their pools outside this lock.
/// </summary>
internal sealed class PooledDatabases(int capacity)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(string Path, string ConnectionString)> _order = new();
    private readonly Dictionary<string, LinkedListNode<(string Path, string ConnectionString)>> _byPath = new(StringComparer.Ordinal);

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

    /// <summary>Marks <paramref name="path"/> most recently used; returns the files evicted to stay in bounds.</summary>
    public IReadOnlyList<(string Path, string ConnectionString)> Touch(string path, string connectionString)
    {
        lock (_gate)
        {
            if (_byPath.TryGetValue(path, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return [];
            }

            _byPath[path] = _order.AddFirst((path, connectionString));
            var evicted = new List<(string Path, string ConnectionString)>();
            while (_byPath.Count > Math.Max(1, capacity))
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _byPath.Remove(last.Value.Path);
                evicted.Add(last.Value);
            }

            return evicted;
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

            _order.Remove(node);
            return node.Value.ConnectionString;
        }
    }
}
