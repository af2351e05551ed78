using System.CommandLine;
using System.Text.Json;
using Peregrine.Api.Platform;
using Peregrine.Api.Shards.Moves;

namespace Peregrine.Api.Operations;

/// <summary>
/// <c>move-user &lt;id&gt; --to &lt;shard&gt;</c>: moves one user's data to another shard while the service runs, and prints
/// the report (how long the user's requests were held, bytes moved) as JSON. Running it again after anything was
/// interrupted finishes the move, or starts it over when it had not flipped yet.
/// </summary>
public static class MoveUserCommand
{
    public const string Name = "move-user";

    public static OperatorVerb Verb { get; } = Build();

    /// <summary>Runs one move with the platform DB reachable; exit code and JSON report on stdout.</summary>
    internal static async Task<int> RunAsync(IServiceProvider services, Configuration.PeregrineOptions settings, Func<ShardCommands, Task<int>> body)
    {
        if (!services.GetRequiredService<PlatformDb>().IsConfigured)
        {
            return OperatorCommands.Fail(OperatorCommands.BadUsage, "moving users needs the platform DB (PLATFORM_DB_URL), where shards and users are mapped");
        }

        try
        {
            return await body(new ShardCommands(services.GetRequiredService<PlatformDb>(), settings));
        }
        catch (Exception e) when (PlatformDb.IsOutage(e))
        {
            return OperatorCommands.Fail(OperatorCommands.Failed, "the platform DB is not reachable (PLATFORM_DB_URL); run it again");
        }
        catch (HttpRequestException e)
        {
            return OperatorCommands.Fail(OperatorCommands.Failed, $"the shard asked could not be reached ({e.Message}); run it again");
        }
    }

    private static OperatorVerb Build()
    {
        var userId = EraseUserCommand.UserIdArgument("The user's id (UUID).");
        var to = new Option<string>("--to") { Description = "The shard to move the user to (its Shards__Id).", Required = true };
        var interruptAfter = new Option<string?>("--interrupt-after") { Description = "Tests only (needs Shards__AllowMoveInterruptions on the shards).", Hidden = true };
        var command = new Command(Name, "Move one user's data to another shard while the service runs (encrypted files copied and verified, then the map flipped).")
        {
            userId,
            to,
            interruptAfter,
        };
        command.SetAction((parsed, cancellationToken) => OperatorHost.RunAsync(Name, app: null, (services, settings, token) =>
            RunAsync(services, settings, async shards =>
            {
                var report = await shards.MoveAsync(parsed.GetValue(userId).ToString(), parsed.GetValue(to)!, parsed.GetValue(interruptAfter), token);
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(report, EraseUserCommand.Json));
                return report.Succeeded ? OperatorCommands.Succeeded : OperatorCommands.Failed;
            }), cancellationToken));
        return new OperatorVerb(command, "usage: Peregrine.Api move-user <user-id> --to <shard>");
    }
}
