using System.Diagnostics;
using Dapper;
using Npgsql;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// A real Postgres 15 from Debian's binaries, started once per test collection: initdb into a folder under /tmp
/// (as user <c>postgres</c> when running as root, like the AppHost's pg-run.sh), a free loopback port, fsync off.
/// <see cref="StopAsync"/> and <see cref="StartAsync"/> let a test take it away and bring it back on the same port
/// and data. Deleted at the end; every wait is bounded.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string Database = "peregrine_platform";
    private const string Password = "platform-test-password";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly string BinDirectory = Environment.GetEnvironmentVariable("PG_BIN") ?? "/usr/lib/postgresql/15/bin";

    private readonly TestDirectory _root = new("peregrine-pg");
    private readonly int _port = LoopbackPort.Free();

    private string DataDirectory => _root.Combine("data");

    /// <summary>Npgsql keyword form, for tests.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = "postgres",
        Password = Password,
        Database = Database,
        Timeout = 5,
    }.ConnectionString;

    /// <summary>The runbook's <c>PLATFORM_DB_URL</c> form.</summary>
    public string Url => $"postgresql://postgres:{Password}@127.0.0.1:{_port}/{Database}";

    public async Task InitializeAsync()
    {
        var passwordFile = _root.Combine("pwfile");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _root.Path], asPostgres: false);
        }

        await RunAsync(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", $"--pwfile={passwordFile}", "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale"]);
        await StartAsync();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync().WaitAsync(CommandTimeout);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
        await create.ExecuteNonQueryAsync().WaitAsync(CommandTimeout);
    }

    /// <summary>Starts (or restarts) the server on the same port and data directory; returns when it accepts connections.</summary>
    public async Task StartAsync()
    {
        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
            ["-D", DataDirectory, "-l", _root.Combine("server.log"), "-w", "-t", "30",
             "-o", $"-h 127.0.0.1 -p {_port} -k {DataDirectory} -c fsync=off -c full_page_writes=off", "start"]);

        // The tests' own pooled connections died with the previous server; only the service under test must cope with that.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Fast shutdown: open sessions are disconnected, as in a real outage.</summary>
    public Task StopAsync() => RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"]);

    /// <summary>A new, empty database on the same server (for tests that need a schema-less start); its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"scratch_{Guid.NewGuid():N}";
        await using var connection = await OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync().WaitAsync(CommandTimeout);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().WaitAsync(CommandTimeout);
        return connection;
    }

    /// <summary>Polls (bounded) until <paramref name="sql"/> returns <paramref name="expected"/>: writers such as telemetry are asynchronous by design.</summary>
    public async Task<long> WaitForCountAsync(string sql, object parameters, long expected)
    {
        var deadline = DateTime.UtcNow + CommandTimeout / 2;
        long count;
        do
        {
            await using var connection = await OpenAsync();
            count = await connection.ExecuteScalarAsync<long>(sql, parameters);
            if (count == expected)
            {
                return count;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return count;
    }

    public async Task DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            _root.Dispose();
        }
    }
    private static async Task RunAsync(string program, string[] arguments, bool asPostgres = true)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Postgres refuses to run as root; setpriv drops to the postgres user without a login shell.
        if (asPostgres && Environment.UserName == "root")
        {
            start.FileName = "setpriv";
            foreach (var argument in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", program })
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish within {CommandTimeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stdout}{await stderr}");
        }
    }
}
