using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Peregrine.Api.Platform;
using Peregrine.Storage;

namespace Peregrine.Api.Operations;

public sealed record DataRootStats(
    int Users,
    int Databases,
    long TotalBytes,
    string CurrentKeyId,
    IReadOnlyDictionary<string, int> DatabasesPerSchemaVersion,
    IReadOnlyDictionary<string, int> DatabasesPerKeyId)
{
    /// <summary>With shards: the shard whose data root was counted (the counts above are this shard's alone).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Shard { get; init; }

    /// <summary>With shards: every shard's users, from the platform DB's map.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, int>? UsersPerShard { get; init; }
}

/// <summary>
/// <c>stats</c>: users, bytes and DBs under <c>CLOUD_DATA_ROOT</c>, as JSON. The key id per DB is its key record's
/// (<c>unrecorded</c> when it has none); the schema version needs a read-only open (<c>unreadable</c> when that fails).
/// With shards, also this shard's id and the users of every shard.
/// </summary>
public static class StatsCommand
{
    public const string Name = "stats";

    public static OperatorVerb Verb { get; } = Build();

    public static DataRootStats Collect(Configuration.PeregrineOptions settings)
    {
        var users = UserTrees.UserIds(settings).ToList();
        var bytes = users.Sum(user => UserTrees.Files(Path.Combine(settings.DataRoot, user)).Sum(file => file.Bytes));
        var perVersion = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var perKey = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var databases = 0;
        foreach (var user in UserTrees.Databases(settings))
        {
            databases++;
            Increment(perKey, KeyRecord.Read(user.Database.Path)?.KeyId ?? "unrecorded");
            Increment(perVersion, SchemaVersionOf(user.Database));
        }

        return new DataRootStats(users.Count, databases, bytes, settings.ServerKeys().CurrentId, perVersion, perKey);
    }

    private static string SchemaVersionOf(DatabaseLocation location)
    {
        try
        {
            using var inspected = DatabaseInspection.OpenReadOnly(location);
            return inspected.SchemaVersion() ?? "none";
        }
        catch (Exception e) when (e is UnknownKeyIdException or InvalidDataException or DatabaseInUseException or Microsoft.Data.Sqlite.SqliteException)
        {
            return "unreadable";
        }
    }

    private static void Increment(SortedDictionary<string, int> counts, string key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    private static OperatorVerb Build()
    {
        var command = new Command(Name, "Users, total bytes, DBs per schema version and DBs per key id under CLOUD_DATA_ROOT, as JSON.");
        command.SetAction((_, cancellationToken) => OperatorHost.RunAsync(Name, app: null, async (services, settings, token) =>
        {
            var stats = Collect(settings);
            if (ShardCommands.AreConfigured(services))
            {
                var shards = new ShardCommands(services.GetRequiredService<PlatformDb>(), settings);
                stats = stats with { Shard = ShardCommands.ThisShard(services), UsersPerShard = await shards.UsersPerShardAsync(token) };
            }

            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(stats, EraseUserCommand.Json));
            return OperatorCommands.Succeeded;
        }, cancellationToken));
        return new OperatorVerb(command, "usage: Peregrine.Api stats");
    }
}
