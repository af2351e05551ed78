using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>A restic command failed; the message is restic's own reason with the repository and password taken out.</summary>
public sealed class ResticException(string message) : Exception(message);

public sealed record ResticSnapshot(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("short_id")] string ShortId,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("tags")] IReadOnlyList<string>? Tags);

public sealed record BackupSummary(string SnapshotId, long DataAdded, long FilesNew, long FilesChanged, long FilesUnmodified);

/// <summary>
/// The restic repository the instance's snapshots live in (restic 0.14, Debian's). The repository and its password go
/// to restic through its environment; nothing restic prints reaches our output except a redacted reason on failure.
/// </summary>
public sealed class ResticRepository(DisasterRecoveryOptions options)
{
    /// <summary>The tag of an instance snapshot (<c>backup-all</c>); retention applies to these.</summary>
    public const string InstanceTag = "peregrine-instance";

    /// <summary>The tag of an erasure-log snapshot (one small JSON file, shipped on its own between instance snapshots).</summary>
    public const string ErasureLogTag = "peregrine-erasure-log";

    private const string Restic = "restic";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Creates the repository when there is none (only then: restic says so in its own words).</summary>
    public async Task<bool> EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        var probe = await RunAsync(["cat", "config"], cancellationToken, check: false);
        if (probe.Succeeded)
        {
            return false;
        }

        if (!probe.StandardError.Contains("Is there a repository at the following location?", StringComparison.Ordinal))
        {
            throw Failure("open the repository", probe);
        }

        await RunAsync(["init"], cancellationToken);
        return true;
    }

    /// <summary>Removes the locks a killed run left (restic treats a lock of a dead process on this host as stale).</summary>
    public Task UnlockAsync(CancellationToken cancellationToken) => RunAsync(["unlock"], cancellationToken);

    /// <summary>Backs up <paramref name="directory"/>'s contents (stored relative to it) as one snapshot.</summary>
    public async Task<BackupSummary> BackupAsync(string directory, string tag, CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(["backup", ".", "--tag", tag, "--host", options.Host, "--json", "--quiet"], cancellationToken, directory);
        return ParseSummary(outcome.StandardOutput);
    }

    /// <summary>Stores <paramref name="content"/> as the single file <paramref name="fileName"/> of a new snapshot.</summary>
    public async Task<BackupSummary> BackupFileAsync(string fileName, byte[] content, string tag, CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(["backup", "--stdin", "--stdin-filename", fileName, "--tag", tag, "--host", options.Host, "--json", "--quiet"], cancellationToken, standardInput: content);
        return ParseSummary(outcome.StandardOutput);
    }

    /// <summary>Snapshots with <paramref name="tag"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ResticSnapshot>> SnapshotsAsync(string tag, CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(["snapshots", "--tag", tag, "--json", "--no-lock"], cancellationToken);
        var snapshots = JsonSerializer.Deserialize<List<ResticSnapshot>>(outcome.StandardOutput, Json) ?? [];
        return [.. snapshots.OrderBy(s => s.Time)];
    }

    /// <summary>The instance snapshot named by <paramref name="reference"/> (<c>latest</c> or an id or its prefix).</summary>
    public async Task<ResticSnapshot> FindInstanceSnapshotAsync(string reference, CancellationToken cancellationToken)
    {
        var snapshots = await SnapshotsAsync(InstanceTag, cancellationToken);
        var found = reference == "latest"
            ? (snapshots.Count > 0 ? snapshots[^1] : null)
            : snapshots.SingleOrDefault(s => s.Id.StartsWith(reference, StringComparison.OrdinalIgnoreCase));
        return found ?? throw new ResticException(reference == "latest"
            ? "the repository holds no instance snapshot yet (run backup-all)"
            : $"no instance snapshot has the id {reference}");
    }

    public async Task<byte[]> DumpAsync(string snapshotId, string path, CancellationToken cancellationToken)
    {
        using var sink = new MemoryStream();
        await RunAsync(["dump", "--no-lock", snapshotId, path], cancellationToken, standardOutputSink: sink);
        return sink.ToArray();
    }

    /// <summary>Restores the snapshot (or only <paramref name="includes"/>, paths inside it) under <paramref name="target"/>.</summary>
    public Task RestoreAsync(string snapshotId, string target, IEnumerable<string> includes, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "restore", snapshotId, "--target", target, "--no-lock" };
        foreach (var include in includes)
        {
            arguments.Add("--include");
            arguments.Add(include);
        }

        return RunAsync([.. arguments], cancellationToken);
    }

    /// <summary>restic's structural check (and, optionally, a share of the data read back, e.g. <c>10%</c>).</summary>
    public async Task<string?> CheckAsync(string? readDataSubset, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "check" };
        if (!string.IsNullOrEmpty(readDataSubset))
        {
            arguments.Add($"--read-data-subset={readDataSubset}");
        }

        var outcome = await RunAsync([.. arguments], cancellationToken, check: false);
        return outcome.Succeeded ? null : Reason(outcome);
    }

    /// <summary>Applies the retention policy to instance snapshots and prunes; erasure-log snapshots keep their last few.</summary>
    public async Task ForgetAsync(CancellationToken cancellationToken)
    {
        await RunAsync(["forget", "--tag", InstanceTag, "--host", options.Host, "--group-by", "host,tags",
            "--keep-daily", Invariant(options.KeepDaily), "--keep-weekly", Invariant(options.KeepWeekly), "--keep-monthly", Invariant(options.KeepMonthly),
            "--prune", "--quiet"], cancellationToken);
        // Each erasure-log snapshot holds the whole log (see ErasureLog), so the newest few are all a restore needs.
        await RunAsync(["forget", "--tag", ErasureLogTag, "--host", options.Host, "--group-by", "host,tags", "--keep-last", "3", "--quiet"], cancellationToken);
    }

    /// <summary>Bytes the repository's files take on disk (local repositories only; null otherwise).</summary>
    public long? LocalSize() =>
        Directory.Exists(options.Repository)
            ? new DirectoryInfo(options.Repository).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
            : null;

    private async Task<ChildOutcome> RunAsync(
        string[] arguments, CancellationToken cancellationToken, string? workingDirectory = null,
        byte[]? standardInput = null, Stream? standardOutputSink = null, bool check = true)
    {
        var outcome = await ChildProcess.RunAsync(Restic, arguments, Environment(), cancellationToken, workingDirectory, standardInput, standardOutputSink);
        return check && !outcome.Succeeded ? throw Failure(arguments[0], outcome) : outcome;
    }

    private Dictionary<string, string?> Environment() => new()
    {
        ["RESTIC_REPOSITORY"] = options.Repository,
        ["RESTIC_PASSWORD"] = options.Password,
        ["RESTIC_PASSWORD_FILE"] = options.PasswordFile,
        ["RESTIC_PROGRESS_FPS"] = "0.016",
    };

    private ResticException Failure(string what, ChildOutcome outcome) => new($"restic {what} failed: {Reason(outcome)}");

    /// <summary>restic's "Fatal:" line (else its last line), with anything that could be a credential taken out.</summary>
    private string Reason(ChildOutcome outcome)
    {
        var lines = outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = lines.FirstOrDefault(l => l.StartsWith("Fatal:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? $"exit code {outcome.ExitCode}";
        var redacted = new StringBuilder(line.Length > 300 ? line[..300] : line);
        foreach (var secret in new[] { options.Repository, options.Password, options.PasswordFile })
        {
            if (!string.IsNullOrEmpty(secret))
            {
                redacted.Replace(secret, "<redacted>");
            }
        }

        return redacted.ToString();
    }

    private static BackupSummary ParseSummary(string jsonLines)
    {
        foreach (var line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Reverse())
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.TryGetProperty("message_type", out var type) && type.GetString() == "summary")
            {
                return new BackupSummary(
                    root.GetProperty("snapshot_id").GetString()!,
                    root.GetProperty("data_added").GetInt64(),
                    root.GetProperty("files_new").GetInt64(),
                    root.GetProperty("files_changed").GetInt64(),
                    root.GetProperty("files_unmodified").GetInt64());
            }
        }

        throw new ResticException("restic backup printed no summary");
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
