using System.CommandLine;
using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Api.Operations;

/// <summary><c>verify-all</c>: opens every user DB read-only (current key, else its recorded one) and runs <c>quick_check</c>.</summary>
public static class VerifyAllCommand
{
    public const string Name = "verify-all";

    public static OperatorVerb Verb { get; } = Build();

    /// <summary>Null when the DB opens and passes <c>quick_check</c>; otherwise why not (never its content).</summary>
    public static string? Problem(DatabaseLocation location)
    {
        try
        {
            using var inspected = DatabaseInspection.OpenReadOnly(location);
            var verdict = inspected.Connection.Query<string>("PRAGMA quick_check;").ToList();
            return verdict is ["ok"] ? null : $"quick_check reports {verdict.Count} problem(s)";
        }
        catch (Exception e) when (e is UnknownKeyIdException or InvalidDataException or DatabaseInUseException)
        {
            return e.Message;
        }
        catch (SqliteException e)
        {
            return $"SQLite error {e.SqliteErrorCode}";
        }
    }

    private static OperatorVerb Build()
    {
        var command = new Command(Name, "Open every user DB of every app read-only, run quick_check, and list the broken ones. Exits 1 when any is broken.");
        command.SetAction((_, cancellationToken) => OperatorHost.RunAsync(Name, app: null, async (_, settings, token) =>
        {
            var (checkedCount, broken) = (0, 0);
            foreach (var user in UserTrees.Databases(settings))
            {
                token.ThrowIfCancellationRequested();
                checkedCount++;
                if (Problem(user.Database) is { } problem)
                {
                    broken++;
                    await Console.Out.WriteLineAsync($"broken: {user.UserId}/{user.App}: {problem}");
                }
            }

            await Console.Out.WriteLineAsync($"verify-all: {checkedCount} checked, {checkedCount - broken} ok, {broken} broken");
            return broken == 0 ? OperatorCommands.Succeeded : OperatorCommands.Failed;
        }, cancellationToken));
        return new OperatorVerb(command, "usage: Peregrine.Api verify-all");
    }
}
