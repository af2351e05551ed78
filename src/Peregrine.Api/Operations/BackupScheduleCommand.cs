using System.CommandLine;
using Peregrine.Api.Erasure;
using Peregrine.Api.Operations.DisasterRecovery;

namespace Peregrine.Api.Operations;

/// <summary>
/// <c>backup-schedule</c>: what the scheduled backup service runs, for as long as it runs. Every
/// <c>BACKUP_INTERVAL_MINUTES</c> (default a day) a whole <c>backup-all --forget</c>; in between, every
/// <c>BACKUP_ERASURE_SHIP_SECONDS</c> (default a minute) the new erasures are shipped to the repository's erasure log,
/// so an erasure is on the host alone for at most that long. A failed run is reported and tried again at the next
/// interval; the process ends (exit 0) only when it is stopped.
/// </summary>
public static class BackupScheduleCommand
{
    public const string Name = "backup-schedule";

    public static OperatorVerb Verb { get; } = Build();

    private static OperatorVerb Build()
    {
        var command = new Command(Name, "Run backup-all --forget every BACKUP_INTERVAL_MINUTES and ship new erasures every BACKUP_ERASURE_SHIP_SECONDS, until stopped (the scheduled backup service).");
        command.SetAction((_, cancellationToken) => BackupAllCommand.RunWithRepositoryAsync(Name, async (services, settings, options, platform, token) =>
        {
            var interval = TimeSpan.FromMinutes(Math.Max(1, options.IntervalMinutes));
            var shipEvery = TimeSpan.FromSeconds(Math.Max(5, options.ErasureShipSeconds));
            var clock = services.GetRequiredService<TimeProvider>();
            await Console.Out.WriteLineAsync($"backup-schedule: a snapshot every {interval}, new erasures shipped every {shipEvery}");
            var nextBackup = clock.GetUtcNow();
            try
            {
                while (!token.IsCancellationRequested)
                {
                    if (clock.GetUtcNow() >= nextBackup)
                    {
                        nextBackup = clock.GetUtcNow() + interval;
                        await GuardedAsync("backup-all", () => BackupAllCommand.BackUpOnceAsync(services, settings, options, platform, options.Concurrency, TimeSpan.Zero, forget: true, token));
                    }
                    else
                    {
                        await GuardedAsync("ship-erasures", async () =>
                        {
                            var shipped = await new ErasureLog(new ResticRepository(options), platform).ShipAsync(force: false, token);
                            if (shipped > 0)
                            {
                                await Console.Out.WriteLineAsync($"ship-erasures: {shipped} erasure(s) shipped");
                            }

                            return OperatorCommands.Succeeded;
                        });
                    }

                    await Task.Delay(shipEvery, clock, token);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }

            return OperatorCommands.Succeeded;
        }, cancellationToken));
        return new OperatorVerb(command, "usage: Peregrine.Api backup-schedule");
    }

    /// <summary>A run that fails is reported in one line and retried at its next turn: the schedule itself keeps going.</summary>
    private static async Task GuardedAsync(string what, Func<Task<int>> run)
    {
        try
        {
            await run();
        }
        catch (Exception e) when (e is ResticException or PlatformDumpException or InvalidDataException or IOException or Npgsql.NpgsqlException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"backup-schedule: {what} failed ({(e is ResticException or PlatformDumpException ? e.Message : e.GetType().Name)}); trying again at its next turn");
        }
    }
}
