using Npgsql;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>
/// The platform DB in and out of a snapshot with Postgres's own tools (Debian's postgresql-15 client): <c>pg_dump</c>
/// as plain SQL (it deduplicates and compresses well in restic, and any psql reads it), loaded back by <c>psql</c> in
/// one transaction, so a failed load leaves the DB as it was. The connection's password reaches them through
/// <c>PGPASSWORD</c>, never the command line.
/// </summary>
public sealed class PlatformDump(string connectionString)
{
    public async Task DumpAsync(string destination, CancellationToken cancellationToken)
    {
        var temp = destination + ".staging";
        File.Delete(temp);
        try
        {
            // --clean --if-exists: loading it replaces what the Api's own start-up migration may already have created.
            var outcome = await ChildProcess.RunAsync("pg_dump",
                ["--format=plain", "--no-owner", "--no-privileges", "--clean", "--if-exists", "--file", temp],
                Environment(), cancellationToken);
            if (!outcome.Succeeded)
            {
                throw new PlatformDumpException($"pg_dump failed: {FirstLine(outcome.StandardError)}");
            }

            using (var written = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true);
            }

            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task LoadAsync(string dump, CancellationToken cancellationToken)
    {
        var outcome = await ChildProcess.RunAsync("psql",
            ["--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1", "--file", dump],
            Environment(), cancellationToken);
        if (!outcome.Succeeded)
        {
            throw new PlatformDumpException($"psql could not load the platform dump: {FirstLine(outcome.StandardError)}");
        }
    }

    private Dictionary<string, string?> Environment()
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new Dictionary<string, string?>
        {
            ["PGHOST"] = builder.Host,
            ["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = builder.Username,
            // A URL without a password (the bundled DB's default) leaves it to PGPASSWORD, as Npgsql does for the services.
            ["PGPASSWORD"] = builder.Password ?? System.Environment.GetEnvironmentVariable("PGPASSWORD"),
            ["PGDATABASE"] = builder.Database,
            ["PGCONNECT_TIMEOUT"] = "10",
        };
    }

    // Postgres's messages name objects and hosts, never a password; one line is enough to say what went wrong.
    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
}

public sealed class PlatformDumpException(string message) : Exception(message);
