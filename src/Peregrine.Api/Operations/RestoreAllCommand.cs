using System.CommandLine;
using Peregrine.Api.Operations.DisasterRecovery;
using Peregrine.Api.Platform;

namespace Peregrine.Api.Operations;

/// <summary>
/// <c>restore-all</c>: rebuilds an empty host from an instance snapshot (see <see cref="InstanceRestore"/>): the platform
/// DB, every user tree with the service's modes (and <c>--owner</c>), the Data Protection keys, then the erasures the
/// repository's log recorded after the snapshot. Run it before the service starts on the new host; run it again if it
/// was interrupted. DBs snapshotted under an earlier <c>CF_SERVER_SECRET</c> open through their key-id records once
/// that secret is listed in <c>CF_SERVER_SECRET_PREVIOUS</c>; the service then rekeys each on its first open.
/// </summary>
public static class RestoreAllCommand
{
    public const string Name = "restore-all";

    public static OperatorVerb Verb { get; } = Build();

    private static OperatorVerb Build()
    {
        var snapshot = new Option<string>("--snapshot") { Description = "The instance snapshot to restore: latest, or its id.", DefaultValueFactory = _ => "latest" };
        var owner = new Option<string?>("--owner") { Description = "uid:gid to own the restored trees and keys (when restoring as root for a service that runs as another user)." };
        var command = new Command(Name, "Rebuild an empty host from an instance snapshot: platform DB, user trees, keys; then re-apply the erasures recorded after the snapshot.")
        {
            snapshot,
            owner,
        };
        const string usage = "usage: Peregrine.Api restore-all [--snapshot latest|<id>] [--owner <uid>:<gid>]";
        command.SetAction((parsed, cancellationToken) =>
        {
            var ownerValue = parsed.GetValue(owner);
            var parsedOwner = TreeOwnership.ParseOwner(ownerValue);
            var reference = parsed.GetValue(snapshot) ?? "latest";
            if ((ownerValue is not null && parsedOwner is null) || !(reference == "latest" || System.Text.RegularExpressions.Regex.IsMatch(reference, "^[0-9a-f]{8,64}$")))
            {
                return Task.FromResult(OperatorCommands.Fail(OperatorCommands.BadUsage, $"--owner must be <uid>:<gid> (numbers) and --snapshot latest or a snapshot id; {usage}"));
            }

            return BackupAllCommand.RunWithRepositoryAsync(Name, async (services, settings, options, platform, token) =>
            {
                try
                {
                    var schema = services.GetRequiredService<PlatformSchema>();
                    var summary = await new InstanceRestore(settings, ShardDataRoots.From(services.GetRequiredService<IConfiguration>(), settings), options, platform, Console.Out)
                        .RunAsync(reference, parsedOwner, async t => await schema.MigrateAsync(t), token);
                    await Console.Out.WriteLineAsync(
                        $"restore-all: snapshot {summary.SnapshotId}: {summary.TreesRestored} trees restored, {summary.TreesWithheld} withheld as erased after the snapshot; " +
                        $"{summary.ErasuresLogged} later erasure(s) re-applied to the platform DB ({summary.PlatformRowsErased} user(s) had rows); {summary.KeysRestored} key file(s) restored");
                    return OperatorCommands.Succeeded;
                }
                catch (RestoreRefusedException e)
                {
                    return OperatorCommands.Fail(OperatorCommands.Failed, $"restore-all: {e.Message}");
                }
            }, cancellationToken);
        });
        return new OperatorVerb(command, usage);
    }
}
