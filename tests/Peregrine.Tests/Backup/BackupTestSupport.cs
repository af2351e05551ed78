using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Tests.Backup;

/// <summary>What the backup tests do over and over: seed jobs, upload zips, fingerprint a tree, ask sqlite3.</summary>
internal static class BackupTestSupport
{
    public const string BackupPath = "/peregrine/api/settings/data/backup";
    public const string RestorePath = "/peregrine/api/settings/data/restore";

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string path, byte[] zip, params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        form.Add(file, "file", "backup.zip");
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return await client.PostAsync(path, form);
    }

    /// <summary>Adds jobs straight into the user's DB through the engine, as the job pipeline would have.</summary>
    public static void SeedJobs(DatabaseLocation database, int count, string urlPrefix = "https://jobs.example/")
    {
        using var connection = SqliteDatabase.Open(database.Path, database.Key, pooling: false);
        using var command = connection.CreateCommand();
        command.CommandText = """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count)
            INSERT INTO jobs (title, company, url, status, date_found)
            SELECT 'Engineer ' || i, 'Acme', $prefix || i, 'pending', '2026-11-29' FROM n;
            """;
        command.Parameters.AddWithValue("$count", count);
        command.Parameters.AddWithValue("$prefix", urlPrefix);
        command.ExecuteNonQuery();
    }

    public static long CountJobs(DatabaseLocation database)
    {
        using var connection = SqliteDatabase.Open(database.Path, database.Key, pooling: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM jobs;";
        return (long)command.ExecuteScalar()!;
    }

    public static bool HasPlainHeader(string path) =>
        File.ReadAllBytes(path).AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8);

    /// <summary>Every file and folder under <paramref name="root"/> with a hash of its bytes: "byte-for-byte unchanged".</summary>
    public static SortedDictionary<string, string> Fingerprint(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, entry);
            result[relative] = Directory.Exists(entry) ? "<dir>" : Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(entry)));
        }

        return result;
    }

    public static byte[] ReadEntry(byte[] zip, string name)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var stream = archive.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Runs Debian's stock <c>sqlite3</c> CLI (not our engine) on a file; bounded to 30 s.</summary>
    public static async Task<string> Sqlite3Async(string file, string sql)
    {
        var start = new ProcessStartInfo("sqlite3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(file);
        start.ArgumentList.Add(sql);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return (await output).Trim();
    }
}
