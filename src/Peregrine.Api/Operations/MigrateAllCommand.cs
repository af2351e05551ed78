using System.CommandLine;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Api.Operations;

/// <summary>
/// <c>migrate-all</c>: every user DB to the current schema now, instead of at each user's next open. It runs the same
/// preparation the service runs on first open (so a DB at a previous key is also rekeyed), minus failing tasks the
/// service may be running. Each migration step commits with its own version row, so a killed run resumes where it stopped.
/// </summary>
public static class MigrateAllCommand
{
    public const string Name = "migrate-all";

    public static OperatorVerb Verb { get; } = Build();

    private static OperatorVerb Build()
    {
        var command = new Command(Name, "Bring every user DB of every app under CLOUD_DATA_ROOT to the current schema. Resumable; safe while the service runs.");
        command.SetAction((_, cancellationToken) => OperatorHost.RunAsync(Name, app: null, async (services, settings, token) =>
        {
            var databases = services.GetRequiredService<UserDatabases>();
            var (migrated, current, failed) = (0, 0, 0);
            var all = UserTrees.Databases(settings).ToList();
            foreach (var (user, index) in all.Select((user, index) => (user, index + 1)))
            {
                token.ThrowIfCancellationRequested();
                string outcome;
                try
                {
                    var before = SchemaVersion(user.Database);
                    databases.Open(user.Database).Dispose();
                    databases.Evict(user.Database);
                    var after = SchemaVersion(user.Database);
                    (outcome, migrated, current) = before == after
                        ? ($"already at {after}", migrated, current + 1)
                        : ($"migrated {before ?? "(none)"} -> {after}", migrated + 1, current);
                }
                catch (Exception e) when (e is UnknownKeyIdException or InvalidDataException or DatabaseInUseException or SqliteException or IOException)
                {
                    failed++;
                    outcome = "FAILED: " + (e is SqliteException sqlite ? $"SQLite error {sqlite.SqliteErrorCode}" : e.Message);
                }

                await Console.Out.WriteLineAsync($"[{index}/{all.Count}] {user.UserId}/{user.App}: {outcome}");
            }

            await Console.Out.WriteLineAsync($"migrate-all: {migrated} migrated, {current} already current, {failed} failed");
            return failed == 0 ? OperatorCommands.Succeeded : OperatorCommands.Failed;
        }, cancellationToken));
        return new OperatorVerb(command, "usage: Peregrine.Api migrate-all");
    }

    private static string? SchemaVersion(DatabaseLocation location)
    {
        using var inspected = DatabaseInspection.OpenReadOnly(location);
        return inspected.SchemaVersion();
    }
}
