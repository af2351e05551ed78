using System.CommandLine;
using Peregrine.Api.Erasure;
using Peregrine.Api.Operations.DisasterRecovery;
using Peregrine.Api.Platform;

namespace Peregrine.Api.Operations;

/// <summary>
/// <c>ship-erasures</c>: copies the erasures not yet in the backup repository's erasure log there (see
/// <see cref="ErasureLog"/>). <c>backup-all</c> does it first thing; the scheduled backup service also runs it between
/// snapshots, because an erasure that exists only on the host is lost with the host.
/// </summary>
public static class ShipErasuresCommand
{
    public const string Name = "ship-erasures";

    public static OperatorVerb Verb { get; } = Build();

    private static OperatorVerb Build()
    {
        var command = new Command(Name, "Ship the erasures recorded since the last shipment to the backup repository's erasure log, which restore-all re-applies.");
        command.SetAction((_, cancellationToken) => BackupAllCommand.RunWithRepositoryAsync(Name, async (services, _, options, platform, token) =>
        {
            await services.GetRequiredService<PlatformSchema>().MigrateAsync(token);
            var restic = new ResticRepository(options);
            await restic.EnsureInitializedAsync(token);
            var shipped = await new ErasureLog(restic, platform).ShipAsync(force: false, token);
            await Console.Out.WriteLineAsync($"ship-erasures: {shipped} erasure(s) shipped");
            return OperatorCommands.Succeeded;
        }, cancellationToken));
        return new OperatorVerb(command, "usage: Peregrine.Api ship-erasures");
    }
}
