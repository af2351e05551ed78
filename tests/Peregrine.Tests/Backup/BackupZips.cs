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

    /// <summary>A plain SQLite file with upstream's jobs table (the columns the restore checks) and <paramref name="jobs"/> rows.</summary>
    public static byte[] UpstreamDatabase(string directory, int jobs)
    {
        var path = Path.Combine(directory, $"upstream-{Guid.NewGuid():N}.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, company TEXT, url TEXT UNIQUE,
                    source TEXT, location TEXT, is_remote INTEGER DEFAULT 0, salary TEXT, description TEXT,
                    match_score REAL, keyword_gaps TEXT, date_found TEXT, status TEXT DEFAULT 'pending',
                    notion_page_id TEXT, cover_letter TEXT, applied_at TEXT);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $jobs)
                INSERT INTO jobs (title, company, url, status) SELECT 'Engineer ' || i, 'Acme', 'https://jobs.example/' || i, 'pending' FROM n;
                """;
            command.Parameters.AddWithValue("$jobs", jobs);
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
