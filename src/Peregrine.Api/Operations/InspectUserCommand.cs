using System.CommandLine;
using System.Text.Json;
using Dapper;
using Peregrine.Api.Platform;
using Peregrine.Configuration;
using Peregrine.Storage;

namespace Peregrine.Api.Operations;

public sealed record InspectedFile(string Path, long Bytes);

public sealed record InspectedApp(string App, IReadOnlyList<InspectedFile> Files, string? SchemaVersion, string? KeyId, bool KeyIsCurrent, IReadOnlyDictionary<string, long> Tasks, string? Problem);

public sealed record InspectedConsent(bool AllDisabled, bool UsageEvents, bool ContentSharing, bool SupportAccess);

public sealed record InspectedPlatform(string? SubscriptionTier, InspectedConsent? Consent, long SupportAccessGrants, long ActiveSupportAccessGrants);

public sealed record UserInspection(string UserId, IReadOnlyList<InspectedApp> Apps, InspectedPlatform? Platform)
{
    /// <summary>With shards: the user's home shard (null, and left out, without shards). The apps above are this shard's view.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Shard { get; init; }
}

/// <summary>
/// <c>inspect-user &lt;id&gt;</c>: the user's tree (file names and sizes), each app DB's schema version, key id and task
/// counts, and the user's platform rows (tier, consent flags, grant counts), as JSON; with shards, the user's home shard. Counts and metadata only: never
/// a job, a config value or a key.
/// </summary>
public static class InspectUserCommand
{
    public const string Name = "inspect-user";

    public static OperatorVerb Verb { get; } = Build();

    public static InspectedApp InspectApp(PeregrineOptions settings, string userId, string app)
    {
        var user = Sessions.CloudUserResolver.ForUser(settings, userId, app);
        var files = UserTrees.Files(user.AppDirectory).Select(file => new InspectedFile(file.RelativePath, file.Bytes)).ToList();
        if (!File.Exists(user.Database.Path))
        {
            return new InspectedApp(app, files, null, null, false, new Dictionary<string, long>(), "no staging.db");
        }

        try
        {
            const string tasks = "SELECT status, count(*) FROM background_tasks GROUP BY status ORDER BY status;";
            using var inspected = DatabaseInspection.OpenReadOnly(user.Database);
            var counts = inspected.Connection.Query<(string Status, long Count)>(tasks).ToDictionary(row => row.Status, row => row.Count);
            return new InspectedApp(app, files, inspected.SchemaVersion(), inspected.KeyId, inspected.KeyId == settings.ServerKeys().CurrentId, counts, null);
        }
        catch (Exception e) when (e is UnknownKeyIdException or InvalidDataException or DatabaseInUseException or Microsoft.Data.Sqlite.SqliteException)
        {
            return new InspectedApp(app, files, null, KeyRecord.Read(user.Database.Path)?.KeyId, false, new Dictionary<string, long>(), e.Message);
        }
    }

    private static async Task<InspectedPlatform?> PlatformRowsAsync(PlatformDb platform, Guid userId, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!platform.IsConfigured)
        {
            return null;
        }

        const string tier = "SELECT tier FROM subscriptions WHERE user_id = @userId";
        const string consent = """
            SELECT all_disabled, usage_events_enabled, content_sharing_enabled, support_access_enabled
            FROM telemetry_consent WHERE user_id = @userId
            """;
        const string grants = """
            SELECT count(*), count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > @now)
            FROM support_access_grants WHERE user_id = @userId
            """;
        await using var connection = await platform.OpenAsync(cancellationToken);
        var parameters = new { userId, now = clock.GetUtcNow() };
        var flags = await connection.QuerySingleOrDefaultAsync<(bool, bool, bool, bool)?>(new CommandDefinition(consent, parameters, cancellationToken: cancellationToken));
        var (total, active) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(grants, parameters, cancellationToken: cancellationToken));
        return new InspectedPlatform(
            await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(tier, parameters, cancellationToken: cancellationToken)),
            flags is var (all, usage, sharing, support) ? new InspectedConsent(all, usage, sharing, support) : null,
            total,
            active);
    }

    private static OperatorVerb Build()
    {
        var userId = EraseUserCommand.UserIdArgument("The user's id (UUID).");
        var command = new Command(Name, "Show one user's tree, file sizes, schema version, key id, task counts and platform rows, as JSON. Never content, never keys.")
        {
            userId,
        };
        command.SetAction((parsed, cancellationToken) => OperatorHost.RunAsync(Name, app: null, async (services, settings, token) =>
        {
            var id = parsed.GetValue(userId);
            var apps = UserTrees.AppsOf(settings, id.ToString()).Select(user => InspectApp(settings, user.UserId, user.App)).ToList();
            InspectedPlatform? platform;
            try
            {
                platform = await PlatformRowsAsync(services.GetRequiredService<PlatformDb>(), id, services.GetRequiredService<TimeProvider>(), token);
            }
            catch (Exception e) when (PlatformDb.IsOutage(e))
            {
                return OperatorCommands.Fail(OperatorCommands.Failed, "inspect-user: the platform DB is not reachable (PLATFORM_DB_URL)");
            }

            var inspection = new UserInspection(id.ToString(), apps, platform);
            if (ShardCommands.AreConfigured(services))
            {
                var home = await new ShardCommands(services.GetRequiredService<PlatformDb>(), settings).HomeOfAsync(id.ToString(), token);
                inspection = inspection with { Shard = home ?? "none (not placed yet)" };
            }

            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(inspection, EraseUserCommand.Json));
            return OperatorCommands.Succeeded;
        }, cancellationToken));
        return new OperatorVerb(command, "usage: Peregrine.Api inspect-user <user-id>");
    }
}
