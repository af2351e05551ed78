using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>A user DB opened at the key it is at, and that key's id.</summary>
internal sealed record KeyedConnection(SqliteConnection Connection, string KeyId);

/// <summary>
/// Opens a user DB at the key it is at: the current key first, then only the key ids its record names, never any other
/// previous key. What the rekey, the move's hold and the read-only inspections share.
/// </summary>
internal static class RecordedKeys
{
    /// <summary>Passes over the candidates while the file moves under them; a rekey moves a file once.</summary>
    private const int Passes = 3;

    /// <summary>
    /// Returns what <paramref name="open"/> opened with the first candidate key the file decrypts with. Throws
    /// <see cref="UnknownKeyIdException"/> for a recorded id no secret has and <see cref="InvalidDataException"/> when no
    /// candidate opens the file. A pass during which the file moved (another process's rekey committed, or a killed one
    /// was rolled back) says nothing about the keys, so the candidates are tried again; a file still moving after
    /// <see cref="Passes"/> passes is <see cref="DatabaseInUseException"/>.
    /// </summary>
    /// <param name="open">Opens the file with a key; a wrong key fails with SQLITE_NOTADB.</param>
    public static KeyedConnection Open(DatabaseLocation location, Func<DatabaseKey, SqliteConnection> open)
    {
        var keys = location.Keys ?? throw new ArgumentException("a keyed location is needed", nameof(location));
        for (var pass = 1; ; pass++)
        {
            var before = ProbedFile.Look(location.Path);
            string? unknown = null;
            foreach (var id in new[] { keys.CurrentId }.Concat(before.Record?.Candidates ?? []).Distinct(StringComparer.Ordinal))
            {
                if (keys.Find(id) is not { } key)
                {
                    unknown ??= id;
                    continue;
                }

                try
                {
                    return new KeyedConnection(open(key), id);
                }
                catch (SqliteException e) when (e.SqliteErrorCode == KeyRotation.NotADatabase)
                {
                }
            }

            if (ProbedFile.Look(location.Path).MovedSince(before))
            {
                if (pass < Passes)
                {
                    Thread.Sleep(Random.Shared.Next(5, 40));
                    continue;
                }

                throw new DatabaseInUseException(location.OwnerId);
            }

            throw unknown is not null
                ? new UnknownKeyIdException(location.OwnerId, unknown)
                : new InvalidDataException(before.Record is null
                    ? $"the DB of {location.OwnerId} does not open with the current key, and no key id is recorded"
                    : $"the DB of {location.OwnerId} opens with none of the keys its record names");
        }
    }

    /// <summary>
    /// What a key probe's verdict depends on. The engine reads the file's salt (its first 16 bytes) when a key is set,
    /// before it takes the file's lock: a probe that waited on another process's rekey commit checks the new pages
    /// against the old salt and fails with the right key. So "no key opens it" holds only if none of this moved.
    /// </summary>
    private sealed record ProbedFile(KeyRecord? Record, string Salt, DateTime Modified, long Length, bool HasJournal)
    {
        public static ProbedFile Look(string path)
        {
            var file = new FileInfo(path);
            var salt = string.Empty;
            try
            {
                salt = Convert.ToHexString(DatabaseFileHeader.Read(path));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // No file: the open reports that itself.
            }

            var length = file.Exists ? file.Length : -1;
            return new ProbedFile(KeyRecord.Read(path), salt, file.LastWriteTimeUtc, length, File.Exists(path + "-journal"));
        }

        /// <summary>True when the file, its record or its rollback journal changed since <paramref name="before"/>.</summary>
        public bool MovedSince(ProbedFile before) => this != before;
    }
}
