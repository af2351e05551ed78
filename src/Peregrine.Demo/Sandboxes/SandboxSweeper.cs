using Microsoft.Extensions.Options;

namespace Peregrine.Demo.Sandboxes;

/// <summary>Removes expired sandboxes every <see cref="DemoOptions.SweepInterval"/> (on the app's clock, so tests can move it).</summary>
public sealed class SandboxSweeper(DemoSandboxes sandboxes, IOptions<DemoOptions> options, TimeProvider time, ILogger<SandboxSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var removed = await sandboxes.SweepAsync();
                    if (removed > 0)
                    {
                        logger.LogInformation("Removed {Count} expired demo sandbox(es)", removed);
                    }
                }
                catch (IOException e)
                {
                    logger.LogWarning("Sweeping demo sandboxes failed: {Reason}", e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
