using System.IO.Compression;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Peregrine.Tests.Backup;

/// <summary>Builds the zips the tests upload: upstream's layout, hostile names, bombs.</summary>
internal static class BackupZips
{
    public static byte[] Create(params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);

    /// <summary>A plain SQLite file in upstream's runtime schema (our baseline is that schema) with <paramref name="jobs"/> rows.</summary>
    public static byte[] UpstreamDatabase(int jobs) => PlainDatabase($"""
        {Peregrine.Storage.MigrationSet.Embedded.Migrations[0].Sql}
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {jobs})
        INSERT INTO jobs (title, company, url, status) SELECT 'Engineer ' || i, 'Acme', 'https://jobs.example/' || i, 'pending' FROM n;
        """);

    /// <summary>The bytes of a plain SQLite file made by running <paramref name="sql"/>.</summary>
    public static byte[] PlainDatabase(string sql)
    {
        var path = Path.Combine(Path.GetTempPath(), $"peregrine-upload-{Guid.NewGuid():N}.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    public static string UpstreamManifest(params string[] files) => $$"""
        {
          "created_at": "2026-03-09T23:02:29",
          "source": "peregrine",
          "source_path": "/home/someone/peregrine",
          "peregrine_version": "1.0",
          "files": [{{string.Join(", ", files.Select(f => $"\"{f}\""))}}],
          "includes_db": true
        }
        """;

    /// <summary>A small entry that inflates to <paramref name="bytes"/> of zeros.</summary>
    public static byte[] Bomb(string name, long bytes)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < bytes; written += zeros.Length)
            {
                stream.Write(zeros);
            }
        }

        return buffer.ToArray();
    }
}
