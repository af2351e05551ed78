using System.CommandLine;

namespace Peregrine.Api.Operations;

/// <summary>
/// The runbook's procedures as verbs of the Api itself (<c>dotnet Peregrine.Api.dll &lt;verb&gt;</c>, also inside the
/// container with <c>docker compose … exec api</c>), dispatched before the web host is built. Exit codes: 0 done,
/// 1 operational failure (something could not be done, or was found broken), 2 bad usage. Nothing prints a secret.
/// </summary>
public static class OperatorCommands
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;

    private static readonly IReadOnlyList<OperatorVerb> Verbs =
    [
        EraseUserCommand.Verb,
        RekeyAllCommand.Verb,
        MigrateAllCommand.Verb,
        InspectUserCommand.Verb,
        VerifyAllCommand.Verb,
        StatsCommand.Verb,
        BackupAllCommand.Verb,
        RestoreAllCommand.Verb,
        VerifyBackupCommand.Verb,
        ShipErasuresCommand.Verb,
        BackupScheduleCommand.Verb,
        MoveUserCommand.Verb,
        RebalanceCommand.Verb,
    ];

    public static bool IsInvoked(string[] args) =>
        args is [var first, ..] && (first is "--help" or "-h" or "-?" || Verbs.Any(verb => verb.Command.Name == first));

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Peregrine operator commands. Run them with the service's environment (CLOUD_MODE, CLOUD_DATA_ROOT, CF_SERVER_SECRET, PLATFORM_DB_URL, ...).");
        foreach (var verb in Verbs)
        {
            root.Subcommands.Add(verb.Command);
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line: what was wrong, then how the verb is used.
            var usage = Verbs.FirstOrDefault(verb => verb.Command == parsed.CommandResult.Command)?.Usage ?? "usage: Peregrine.Api <verb> [options]; see --help";
            return Fail(BadUsage, $"{string.Join("; ", parsed.Errors.Select(error => error.Message))}; {usage}");
        }

        return await parsed.InvokeAsync();
    }

    internal static int Fail(int exitCode, string line)
    {
        Console.Error.WriteLine(line);
        return exitCode;
    }
}

/// <summary>One verb: its parsed form, and the one-line usage printed after a usage error.</summary>
public sealed record OperatorVerb(Command Command, string Usage);
