using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Api.Telemetry;
using Peregrine.CloudSeams;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Platform;

[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class PlatformOutageTests(PostgresFixture postgres)
{
    [Fact]
    public async Task PostgresGoingAwayDegradesHealthDropsEventsAndFailsNoUserRequest()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);
        var telemetry = api.Services.GetRequiredService<IUsageTelemetry>();
        using var dropped = new DroppedEvents(api.Services.GetRequiredService<TelemetryMetrics>());
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();

        await postgres.StopAsync();
        var statuses = new List<HttpStatusCode>();
        string health;
        try
        {
            for (var i = 0; i < 20; i++)
            {
                telemetry.LogUsageEvent(user, "peregrine", "job_applied");
                statuses.Add((await client.GetAsync("/peregrine/api/session").WaitAsync(PlatformApi.Timeout)).StatusCode);
                statuses.Add((await client.GetAsync("/peregrine/api/config/app").WaitAsync(PlatformApi.Timeout)).StatusCode);
            }

            health = await client.GetStringAsync("/health").WaitAsync(PlatformApi.Timeout);
            await dropped.WaitForAnyAsync();
        }
        finally
        {
            await postgres.StartAsync();
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal("Degraded", JsonDocument.Parse(health).RootElement.GetProperty("status").GetString());

        // Writing resumes by itself: keep logging (a first batch may still meet a dead pooled connection) until one lands.
        await Eventually.UntilAsync(async () =>
        {
            telemetry.LogUsageEvent(user, "peregrine", "cover_letter_saved");
            await Task.Delay(200);
            await using var connection = await postgres.OpenAsync();
            return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection,
                "SELECT count(*) FROM usage_events WHERE user_id = @user::uuid AND event_type = 'cover_letter_saved'", new { user }) > 0;
        }, PlatformApi.Timeout);
        var healthAfter = await client.GetStringAsync("/health");
        Assert.Equal("Healthy", JsonDocument.Parse(healthAfter).RootElement.GetProperty("status").GetString());
    }

    /// <summary>Listens to this app's <c>peregrine.telemetry.events.dropped</c> counter for reason <c>platform_unavailable</c>.</summary>
    private sealed class DroppedEvents : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly TaskCompletionSource _any = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DroppedEvents(TelemetryMetrics metrics)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == "peregrine.telemetry.events.dropped")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "reason", Value: "platform_unavailable" } && value > 0)
                    {
                        _any.TrySetResult();
                    }
                }
            });
            _listener.Start();
        }

        public Task WaitForAnyAsync() => _any.Task.WaitAsync(PlatformApi.Timeout);

        public void Dispose() => _listener.Dispose();
    }
}
