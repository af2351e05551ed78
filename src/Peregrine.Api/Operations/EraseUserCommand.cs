using System.CommandLine;
using System.Text.Json;
using Peregrine.Api.Erasure;
using Peregrine.Api.Platform;

namespace Peregrine.Api.Operations;

/// <summary>
/// The operator's GDPR erasure: <c>erase-user &lt;user-id&gt; [--app &lt;slug&gt;]</c> prints the JSON receipt on stdout and
/// exits 0. <c>--app</c> only sets <c>PEREGRINE_APP</c>: erasure is always of the whole user (every app folder under
/// <c>&lt;root&gt;/&lt;user-id&gt;/</c> and every platform row), as the runbook's GDPR step. In shard mode the command
/// runs in any shard's environment and asks the cluster: the user is erased on their home shard, under their grain.
/// </summary>
public static class EraseUserCommand
{
    public const string Name = "erase-user";

    public static OperatorVerb Verb { get; } = Build();

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>A user id argument that must be a UUID (shared by the verbs that take one).</summary>
    internal static Argument<Guid> UserIdArgument(string description) => new("user-id")
    {
        Description = description,
        CustomParser = result => Guid.TryParse(result.Tokens.Single().Value, out var id) ? id : Invalid(result),
    };

    internal static Option<string?> AppOption(string description) => new("--app") { Description = description };

    private static OperatorVerb Build()
    {
        var userId = UserIdArgument("The user's id (UUID), as in the Directus session.");
        var app = AppOption("Sets PEREGRINE_APP; the whole user (every app) is erased regardless.");
        var command = new Command(Name, "GDPR erasure of one user: every platform row and <CLOUD_DATA_ROOT>/<user-id>/, verified, with a JSON receipt.")
        {
            userId,
            app,
        };
        command.SetAction((parsed, cancellationToken) =>
            OperatorHost.RunAsync(Name, parsed.GetValue(app), (services, settings, _) => EraseAsync(services, settings, parsed.GetValue(userId)), cancellationToken));
        return new OperatorVerb(command, "usage: Peregrine.Api erase-user <user-id> [--app <slug>]");
    }

    private static async Task<int> EraseAsync(IServiceProvider services, Configuration.PeregrineOptions settings, Guid userId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            if (services.GetRequiredService<PlatformDb>().IsConfigured)
            {
                await services.GetRequiredService<PlatformSchema>().MigrateAsync(timeout.Token);
            }

            if (ShardCommands.AreConfigured(services))
            {
                // The user's tree may be on any shard's disk, and a move of theirs may be running: the cluster decides.
                var (erased, problem) = await new ShardCommands(services.GetRequiredService<PlatformDb>(), settings).EraseAsync(userId, timeout.Token);
                if (erased is null)
                {
                    return OperatorCommands.Fail(OperatorCommands.Failed, $"erase-user: {problem}");
                }

                Console.Out.WriteLine(JsonSerializer.Serialize(erased, Json));
                return OperatorCommands.Succeeded;
            }

            var receipt = await services.GetRequiredService<UserErasure>().EraseAsync(userId, timeout.Token);
            Console.Out.WriteLine(JsonSerializer.Serialize(receipt, Json));
            return OperatorCommands.Succeeded;
        }
        catch (Exception e) when (PlatformDb.IsOutage(e))
        {
            return OperatorCommands.Fail(OperatorCommands.Failed, "erase-user: the platform DB is not reachable (PLATFORM_DB_URL); nothing was removed from disk");
        }
        catch (HttpRequestException e)
        {
            return OperatorCommands.Fail(OperatorCommands.Failed, $"erase-user: the shard asked could not be reached ({e.Message}); run it again");
        }
        catch (ErasureNotStartedException e)
        {
            return OperatorCommands.Fail(OperatorCommands.Failed, $"erase-user: {e.Message}");
        }
        catch (Exception e) when (e is ErasureNotVerifiedException or IOException or UnauthorizedAccessException)
        {
            return OperatorCommands.Fail(OperatorCommands.Failed, $"erase-user: {(e is ErasureNotVerifiedException ? e.Message : "could not remove the user's files (" + e.GetType().Name + ")")}; run it again");
        }
    }

    private static Guid Invalid(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError($"'{result.Tokens.Single().Value}' is not a user id (a UUID)");
        return Guid.Empty;
    }
}
