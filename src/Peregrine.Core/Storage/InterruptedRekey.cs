using System.Buffers.Binary;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>
/// Rolls back a rekey that was killed after its first page reached the file. The engine takes a file's salt from the
/// file's first page when a key is set, and the rollback journal is decrypted with it. After such a kill the first page
/// is already the new key's, with a new salt, while the journal holds the old key's pages under the old salt: the new
/// key cannot read the journal and the old key is paired with the wrong salt, so no ordinary open rolls it back and
/// neither key opens the file. Opened at the old key with the old salt (the first 16 bytes of page 1 in the journal),
/// the engine rolls the journal back and the file is whole at the old key again, which its record names.
/// </summary>
internal static class InterruptedRekey
{
    private const int SaltLength = 16;
    private static ReadOnlySpan<byte> JournalMagic => [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

    /// <summary>
    /// True when a journal left by an interrupted rekey was rolled back. Does nothing unless the record says a rekey was
    /// under way and a journal with page 1 in it lies beside the file. A journal of another kind, or of a rekey still
    /// running in another process (the open waits for its commit, then fails at the old key), is left to the probes.
    /// <paramref name="record"/> is the file's key record, as the caller read it.
    /// </summary>
    public static bool RollBack(DatabaseLocation location, DatabaseKeys keys, KeyRecord? record)
    {
        if (record is not { RekeyingTo: not null }
            || keys.Find(record.KeyId) is not { } oldKey
            || FirstPageSalt(location.Path + "-journal") is not { } salt)
        {
            return false;
        }

        try
        {
            // The open reads the schema, which takes the lock and rolls the hot journal back first.
            SqliteDatabase.Open(location.Path, oldKey, pooling: false, SqliteOpenMode.ReadWrite, cipherSalt: salt).Dispose();
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == KeyRotation.NotADatabase)
        {
            return false;
        }
    }

    /// <summary>
    /// The salt page 1 had when the journal's transaction began, in hex: the first 16 bytes of page 1's record in the
    /// journal's first segment. Null when there is no journal, it is not one, or page 1 is not in it. The file is read
    /// as untrusted: every size and offset is checked before it is used.
    /// </summary>
    internal static string? FirstPageSalt(string journalPath)
    {
        try
        {
            using var journal = File.OpenHandle(journalPath);
            var length = RandomAccess.GetLength(journal);
            Span<byte> header = stackalloc byte[28];
            if (RandomAccess.Read(journal, header, 0) < header.Length || !header[..8].SequenceEqual(JournalMagic))
            {
                return null;
            }

            var records = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
            var sectorSize = BinaryPrimitives.ReadUInt32BigEndian(header[20..]);
            var pageSize = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
            if (!IsPowerOfTwoWithin(sectorSize, 32, 65536) || !IsPowerOfTwoWithin(pageSize, 512, 65536))
            {
                return null;
            }

            // A record is the page number, the page and a checksum. An unsynced journal records 0 (or all ones) and
            // runs to the end of the file.
            long recordSize = 4 + pageSize + 4;
            var inFile = (length - sectorSize) / recordSize;
            var count = records is 0 or uint.MaxValue ? inFile : Math.Min(records, inFile);
            Span<byte> pageNumber = stackalloc byte[4];
            Span<byte> salt = stackalloc byte[SaltLength];
            for (long index = 0; index < count; index++)
            {
                var offset = sectorSize + (index * recordSize);
                if (RandomAccess.Read(journal, pageNumber, offset) < 4)
                {
                    return null;
                }

                if (BinaryPrimitives.ReadUInt32BigEndian(pageNumber) == 1)
                {
                    return RandomAccess.Read(journal, salt, offset + 4) == SaltLength ? Convert.ToHexString(salt) : null;
                }
            }

            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsPowerOfTwoWithin(uint value, uint min, uint max) => value >= min && value <= max && (value & (value - 1)) == 0;
}
