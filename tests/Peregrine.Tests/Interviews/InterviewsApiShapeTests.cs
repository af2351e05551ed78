using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Interviews;

/// <summary><c>GET /api/interviews</c> in upstream's shape (§6.4), which its SPA reads field by field.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class InterviewsApiShapeTests
{
    [Fact]
    public async Task EachPipelineJobHasUpstreamsFieldsAndItsStageSignalsAsUpstreamNamesThem()
    {
        await using var api = new PeregrineApiFactory();
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        (await client.PostAsync($"/peregrine/api/jobs/{job}/applied", null)).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/move", new { status = "phone_screen", interview_date = "2026-12-09T15:00:00Z" })).EnsureSuccessStatusCode();
        var location = api.UserDatabase(user);
        await using (var db = SqliteDatabase.Open(location.Path, location.Key, pooling: false))
        {
            const string insert = """
                INSERT INTO job_contacts (job_id, subject, from_addr, body, received_at, stage_signal, suggestion_dismissed)
                VALUES (@job, @subject, 'talent@acme.example.com', @body, @at, @signal, @dismissed);
                """;
            await db.ExecuteAsync(insert, new { job, subject = "Phone screen?", body = "<p>Could we talk <b>Tuesday</b>?</p>", at = "2026-12-01T10:00:00Z", signal = "interview_scheduled", dismissed = 0 });
            await db.ExecuteAsync(insert, new { job, subject = "Newsletter", body = "News", at = "2026-12-02T10:00:00Z", signal = "neutral", dismissed = 0 });
            await db.ExecuteAsync(insert, new { job, subject = "Moved", body = "New time", at = "2026-12-03T10:00:00Z", signal = "event_rescheduled", dismissed = 0 });
            await db.ExecuteAsync(insert, new { job, subject = "Offer!", body = "Old", at = "2026-12-04T10:00:00Z", signal = "offer_received", dismissed = 1 });
        }

        var listed = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/peregrine/api/interviews")).EnumerateArray());

        Assert.Equal(
            ["id", "title", "company", "url", "location", "is_remote", "salary", "match_score", "keyword_gaps", "status", "interview_date",
             "rejection_stage", "applied_at", "phone_screen_at", "interviewing_at", "offer_at", "hired_at", "survey_at", "stage_signals"],
            listed.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-12-09T15:00:00Z", listed.GetProperty("interview_date").GetString());
        var signal = Assert.Single(listed.GetProperty("stage_signals").EnumerateArray());
        Assert.Equal(["id", "subject", "received_at", "stage_signal", "body", "from_addr"], signal.EnumerateObject().Select(p => p.Name));
        Assert.Equal("interview_scheduled", signal.GetProperty("stage_signal").GetString());
        Assert.Equal("Could we talk Tuesday?", signal.GetProperty("body").GetString());
    }
}
