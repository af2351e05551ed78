namespace Peregrine.Storage;

/// <summary>
/// The first 16 bytes of a DB file: <c>SQLite format 3\0</c> in a plain file, the salt in an encrypted one (SQLCipher
/// keeps it there in the clear).
/// </summary>
internal static class DatabaseFileHeader
{
    public const int Length = 16;

    private static ReadOnlySpan<byte> Plain => "SQLite format 3\0"u8;

    /// <summary>The file's first bytes, fewer when it is shorter. Throws as <see cref="File.OpenRead"/> does when there is no file.</summary>
    public static byte[] Read(string path)
    {
        var header = new byte[Length];
        using var file = File.OpenRead(path);
        return header[..file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false)];
    }

    /// <summary>True for a plain (unencrypted) SQLite file.</summary>
    public static bool IsPlain(string path) => Read(path).AsSpan().SequenceEqual(Plain);
}
