using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.CloudSeams;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Platform;

[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class UsageTelemetryTests(PostgresFixture postgres)
{
    private const string CountEvents = "SELECT count(*) FROM usage_events WHERE user_id = @userId";

    [Theory]
    [InlineData(null, null, true)]       // no consent row: onboarding default, usage events on
    [InlineData(false, true, true)]
    [InlineData(false, false, false)]    // usage_events_enabled = false blocks
    [InlineData(true, true, false)]      // all_disabled is the hard kill switch, whatever else says yes
    [InlineData(true, false, false)]
    public async Task ConsentDecidesWhetherAnEventIsStored(bool? allDisabled, bool? usageEvents, bool stored)
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid();
        await using (var connection = await postgres.OpenAsync())
        {
            await PlatformRows.SeedUserAsync(connection, user, events: 0, grants: 0, allDisabled, usageEvents);
        }

        var telemetry = api.Services.GetRequiredService<IUsageTelemetry>();
        telemetry.LogUsageEvent(user.ToString(), "peregrine", "job_applied", new Dictionary<string, object?> { ["words"] = 350 });
        telemetry.LogUsageEvent(user.ToString(), "peregrine", "cover_letter_saved");

        Assert.Equal(1, await WaitForSentinelAsync(postgres, telemetry));
        await using var check = await postgres.OpenAsync();
        var rows = (await check.QueryAsync<(string EventType, string? Metadata)>(
            "SELECT event_type, metadata::text FROM usage_events WHERE user_id = @user ORDER BY id", new { user })).ToList();
        (string, string?)[] expected = stored ? [("job_applied", """{"words": 350}"""), ("cover_letter_saved", null)] : [];
        Assert.Equal(expected, rows);
    }

    [Fact]
    public async Task OnboardingDefaultIsConfigurable()
    {
        await using var api = await PlatformApi.StartAsync(postgres, ("Telemetry:UsageEventsByDefault", "false"));
        var user = await SubscribedUserWithoutConsentRowAsync();
        var telemetry = api.Services.GetRequiredService<IUsageTelemetry>();

        telemetry.LogUsageEvent(user.ToString(), "peregrine", "job_applied");

        Assert.Equal(1, await WaitForSentinelAsync(postgres, telemetry));
        Assert.Equal(0, await postgres.WaitForCountAsync(CountEvents, new { userId = user }, 0));
    }

    [Theory]
    [InlineData("email", "x")]
    [InlineData("contact_e_mail", "x")]
    [InlineData("phoneNumber", "x")]
    [InlineData("first_name", "x")]
    [InlineData("note", "write to jane.doe@example.org")]
    public async Task MetadataThatLooksPersonalIsDropped(string key, string value)
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = await SubscribedUserWithoutConsentRowAsync();
        var telemetry = api.Services.GetRequiredService<IUsageTelemetry>();

        telemetry.LogUsageEvent(user.ToString(), "peregrine", "job_applied", new Dictionary<string, object?> { [key] = value });
        telemetry.LogUsageEvent(user.ToString(), "peregrine", "job_applied", new Dictionary<string, object?> { ["nested"] = new Dictionary<string, object?> { [key] = value } });
        telemetry.LogUsageEvent(user.ToString(), "peregrine", "job_applied", new Dictionary<string, object?> { ["words"] = 350 });

        Assert.Equal(1, await WaitForSentinelAsync(postgres, telemetry));
        Assert.Equal(1, await postgres.WaitForCountAsync(CountEvents, new { userId = user }, 1));
    }

    [Fact]
    public async Task AnEventOfAnErasedUserDoesNotBringTheUserBack()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var erased = Guid.NewGuid(); // no subscriptions row: never signed in, or erased while the event was queued
        var telemetry = api.Services.GetRequiredService<IUsageTelemetry>();

        telemetry.LogUsageEvent(erased.ToString(), "peregrine", "job_applied");

        Assert.Equal(1, await WaitForSentinelAsync(postgres, telemetry));
        await using var check = await postgres.OpenAsync();
        Assert.Equal(new PlatformRows.Counts(0, 0, 0, 0), await PlatformRows.CountAsync(check, erased));
    }

    private async Task<Guid> SubscribedUserWithoutConsentRowAsync()
    {
        var user = Guid.NewGuid();
        await using var connection = await postgres.OpenAsync();
        await PlatformRows.SeedUserAsync(connection, user, events: 0, grants: 0, allDisabled: null, usageEvents: null);
        return user;
    }

    /// <summary>
    /// The writer is one FIFO reader: once an event logged after the ones under test is stored, those were decided too.
    /// The sentinel user is the all-zero UUID with usage events on.
    /// </summary>
    internal static async Task<long> WaitForSentinelAsync(PostgresFixture postgres, IUsageTelemetry telemetry)
    {
        var marker = $"sentinel_{Guid.NewGuid():N}";
        await using (var connection = await postgres.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO subscriptions (user_id, product) VALUES (@user, 'peregrine') ON CONFLICT DO NOTHING", new { user = Guid.Empty });
            await connection.ExecuteAsync(
                "INSERT INTO telemetry_consent (user_id) VALUES (@user) ON CONFLICT (user_id) DO UPDATE SET all_disabled = false, usage_events_enabled = true",
                new { user = Guid.Empty });
        }

        telemetry.LogUsageEvent(Guid.Empty.ToString(), "peregrine", marker);
        return await postgres.WaitForCountAsync("SELECT count(*) FROM usage_events WHERE event_type = @marker", new { marker }, 1);
    }
}
