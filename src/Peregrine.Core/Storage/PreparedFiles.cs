namespace Peregrine.Storage;

/// <summary>
/// Which files this process prepared, and which file (device, inode) each was, kept after the file left the pool: a
/// user whose DB was evicted during their think time re-opens it without preparing it again (the rekey check, the
/// legacy check, the migrations, and the close that folded the WAL in: most of a cold request). The identity is checked
/// on every open, so a file replaced meanwhile is prepared as before. Bounded (4 times the pool, at least 1,024 files),
/// oldest first, so memory follows the pool, not every user ever served: about 200 bytes an entry.
/// </summary>
internal sealed class PreparedFiles(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FileIdentity> _byPath = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public void Remember(string path, FileIdentity identity)
    {
        lock (_gate)
        {
            if (_byPath.TryAdd(path, identity))
            {
                _order.Enqueue(path);
            }
            else
            {
                _byPath[path] = identity;
            }

            while (_byPath.Count > Math.Max(1, capacity) && _order.TryDequeue(out var oldest))
            {
                _byPath.Remove(oldest);
            }

            // Paths forgotten since they were queued leave stale queue entries; rebuild before they outgrow the map.
            if (_order.Count > 2 * Math.Max(1, capacity))
            {
                var live = _order.Where(_byPath.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
                _order.Clear();
                foreach (var path2 in live)
                {
                    _order.Enqueue(path2);
                }
            }
        }
    }

    /// <summary>Takes the remembered identity out (the file's record holds it from now on).</summary>
    public FileIdentity? Take(string path)
    {
        lock (_gate)
        {
            return _byPath.Remove(path, out var identity) ? identity : null;
        }
    }

    public void Forget(string path)
    {
        lock (_gate)
        {
            _byPath.Remove(path);
        }
    }
}
