using Npgsql;

namespace Peregrine.Api.Erasure;

/// <summary>
/// At start-up, finishes erasures a crash interrupted after the user's tree was moved aside: the user asked for it,
/// and until it is finished their platform rows may still exist. Waits for the platform DB, as the schema does.
/// </summary>
internal sealed class InterruptedErasures(UserErasure erasure, AccountErasureLedger ledger, Platform.PlatformSchema schema, ILogger<InterruptedErasures> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.Applied.WaitAsync(stoppingToken);
        foreach (var userId in erasure.InterruptedErasures())
        {
            try
            {
                // Recorded: only the moved tree is left (rows there now are a new account's). Not recorded: the crash came
                // before the transaction, so the whole erasure runs again.
                _ = await ledger.ErasedAtAsync(userId.ToString(), refresh: true, stoppingToken) is null
                    ? await erasure.EraseAsync(userId, stoppingToken)
                    : await erasure.FinishAsync(userId);
                logger.LogInformation("Finished the interrupted erasure of {UserId}", userId);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or ErasureNotStartedException or ErasureNotVerifiedException)
            {
                logger.LogWarning("Could not finish the interrupted erasure of {UserId} ({Kind}); erase-user finishes it", userId, e.GetType().Name);
            }
        }
    }
}
