using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.CloudSeams;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Platform;

[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class PrivacyApiTests(PostgresFixture postgres)
{
    private const string Privacy = "/peregrine/api/settings/privacy";
    private const string SupportAccess = Privacy + "/support-access";

    [Fact]
    public async Task AllFourFlagsReadBackFromTelemetryConsent()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);

        var defaults = await client.GetFromJsonAsync<JsonElement>(Privacy);
        var put = await client.PutAsJsonAsync(Privacy, new { master_off = true, content_sharing = true, support_access = true });
        var partial = await client.PutAsJsonAsync(Privacy, new { usage_events = false });
        var after = await client.GetFromJsonAsync<JsonElement>(Privacy);

        Assert.Equal("""{"master_off":false,"usage_events":true,"content_sharing":false,"support_access":false,"read_only":false}""", defaults.GetRawText());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        Assert.Equal("""{"master_off":true,"usage_events":false,"content_sharing":true,"support_access":true,"read_only":false}""", after.GetRawText());
        await using var connection = await postgres.OpenAsync();
        var row = await connection.QuerySingleAsync<(bool, bool, bool, bool)>(
            $"SELECT all_disabled, usage_events_enabled, content_sharing_enabled, support_access_enabled FROM telemetry_consent WHERE user_id = '{user}';");
        Assert.Equal((true, false, true, true), row);
    }

    [Fact]
    public async Task AConsentChangeTakesEffectOnTheNextEvent()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid();
        using var client = api.CreateClient(user.ToString());
        var telemetry = api.Services.GetRequiredService<IUsageTelemetry>();
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode(); // first login: the subscription row

        telemetry.LogUsageEvent(user.ToString(), "peregrine", "job_applied");
        await UsageTelemetryTests.WaitForSentinelAsync(postgres, telemetry);
        (await client.PutAsJsonAsync(Privacy, new { master_off = true })).EnsureSuccessStatusCode();
        telemetry.LogUsageEvent(user.ToString(), "peregrine", "cover_letter_saved");
        await UsageTelemetryTests.WaitForSentinelAsync(postgres, telemetry);

        await using var connection = await postgres.OpenAsync();
        Assert.Equal(["job_applied"], await connection.QueryAsync<string>("SELECT event_type FROM usage_events WHERE user_id = @user", new { user }));
    }

    [Fact]
    public async Task AnEmptyChangeIsABadRequestProblem()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        using var client = api.CreateClient(Guid.NewGuid().ToString());

        var response = await client.PutAsJsonAsync(Privacy, new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task LocalModeReportsTelemetryOffAndReadOnly()
    {
        await using var api = new PeregrineApiFactory().Configure("CLOUD_MODE", null);
        api.Configure("STAGING_DB", api.Scratch.Combine("staging.db"));
        using var client = api.CreateAnonymousClient();

        var settings = await client.GetFromJsonAsync<JsonElement>(Privacy);
        var put = await client.PutAsJsonAsync(Privacy, new { usage_events = true });
        var grant = await client.PostAsJsonAsync(SupportAccess, new { hours = 4 });

        Assert.Equal("""{"master_off":false,"usage_events":false,"content_sharing":false,"support_access":false,"read_only":true}""", settings.GetRawText());
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Conflict, grant.StatusCode);
    }

    [Fact]
    public async Task SupportGrantIsListedUntilRevokedOrExpired()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid();
        using var client = api.CreateClient(user.ToString());
        using var stranger = api.CreateClient(Guid.NewGuid().ToString());

        var created = await client.PostAsJsonAsync(SupportAccess, new { hours = 24, ticket_ref = "TICKET-42" });
        var grant = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = grant.GetProperty("id").GetInt64();
        var listed = await client.GetFromJsonAsync<JsonElement[]>(SupportAccess);
        var strangersRevoke = await stranger.DeleteAsync($"{SupportAccess}/{id}");
        var revoke = await client.DeleteAsync($"{SupportAccess}/{id}");
        var afterRevoke = await client.GetFromJsonAsync<JsonElement[]>(SupportAccess);
        await using (var connection = await postgres.OpenAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO support_access_grants (user_id, expires_at, created_at) VALUES (@user, now() - interval '1 minute', now() - interval '4 hours')",
                new { user });
        }

        var afterExpiry = await client.GetFromJsonAsync<JsonElement[]>(SupportAccess);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("TICKET-42", grant.GetProperty("ticket_ref").GetString());
        var expires = grant.GetProperty("expires_at").GetDateTime() - grant.GetProperty("created_at").GetDateTime();
        Assert.Equal(TimeSpan.FromHours(24), expires);
        Assert.Equal([id], listed!.Select(g => g.GetProperty("id").GetInt64()));
        Assert.Equal(HttpStatusCode.NotFound, strangersRevoke.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Empty(afterRevoke!);
        Assert.Empty(afterExpiry!);
    }

    [Theory]
    [InlineData("""{"hours": 5}""")]
    [InlineData("""{"hours": 0}""")]
    [InlineData("""{}""")]
    public async Task SupportGrantDurationsOutsideTheListAreRejected(string body)
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        using var client = api.CreateClient(Guid.NewGuid().ToString());

        var response = await client.PostAsync(SupportAccess, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"hours": "4"}""")]
    [InlineData("""{"hours": 4, "ticket_ref": "T-1\u0000drop"}""")]
    [InlineData("""{"hours": 4, "ticket_ref": "line\nbreak"}""")]
    public async Task ABadGrantRequestIsA400NotAnOutage(string body)
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        using var client = api.CreateClient(Guid.NewGuid().ToString());

        using var response = await client.PostAsync(SupportAccess, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await Errors.BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty(await client.GetFromJsonAsync<JsonElement[]>(SupportAccess) ?? []);
    }

    [Fact]
    public async Task SessionAndAppConfigReportTheTierFromSubscriptions()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid();
        using var client = api.CreateClient(user.ToString());

        var first = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/session");
        await using (var connection = await postgres.OpenAsync())
        {
            // The first login created the free row; an upgrade is a change to that row.
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE subscriptions SET tier = 'premium' WHERE user_id = @user", new { user }));
        }

        var session = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/session");
        var config = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/config/app");
        var anonymous = await api.CreateAnonymousClient().GetFromJsonAsync<JsonElement>("/peregrine/api/config/app");

        Assert.Equal("free", first.GetProperty("tier").GetString());
        Assert.Equal("premium", session.GetProperty("tier").GetString());
        Assert.Equal("premium", config.GetProperty("tier").GetString());
        Assert.Equal("free", anonymous.GetProperty("tier").GetString());
    }
}
