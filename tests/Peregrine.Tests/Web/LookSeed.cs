using Dapper;
using Peregrine.Storage;

namespace Peregrine.Tests.Web;

/// <summary>
/// A user whose every page has something on it: jobs to review, an approved job with a letter and a question, a
/// pipeline across the board's stages with upcoming and past interviews, research and notes, and a failed task.
/// </summary>
internal static class LookSeed
{
    public sealed record Ids(long Job, long Interview);

    public static async Task<Ids> ArrangeAsync(BrowserFixture fixture, string user)
    {
        await fixture.SeedJobsAsync(user,
            new SeedJob("Senior Platform Engineer", "Acme Robotics", "https://jobs.example/look/1", Score: 92, Gaps: "Kubernetes, Terraform, Go",
                Location: "Berlin or remote", Salary: "€85k–€100k", Description: "Build the platform our robots run on.\n\nYou will own CI, observability and the developer experience."),
            new SeedJob("Site Reliability Engineer", "Globex", "https://jobs.example/look/2", Score: 74),
            new SeedJob("Frontend Engineer", "Initech Software Consultancy International", "https://jobs.example/look/3", Score: 70,
                Description: "Vue 3 and TypeScript.\nA team of six."),
            new SeedJob("Data Engineer", "Hooli", "https://jobs.example/look/4", Score: 60),
            new SeedJob("Security Engineer", "Tandem Energy", "https://jobs.example/look/5", Score: 55),
            new SeedJob("Engineering Manager", "Bluefin Analytics", "https://jobs.example/look/6", Score: 50));
        var now = DateTimeOffset.UtcNow;
        string At(double days) => Timestamps.Format(now.AddDays(days));
        return await fixture.WithUserDatabaseAsync(user, async db =>
        {
            long Id(int n) => db.ExecuteScalar<long>("SELECT id FROM jobs WHERE url = @url;", new { url = $"https://jobs.example/look/{n}" });
            var job = Id(1);
            var interview = Id(3);
            await db.ExecuteAsync("""
                UPDATE jobs SET status = 'approved', cover_letter = @letter,
                    application_qa = '[{"id":1,"question":"Why do you want to work here?","answer":"Because robots that help people are worth building."}]'
                WHERE id = @job;
                """, new { job, letter = "Dear Acme Robotics,\n\nI would love to build your platform.\n\nSincerely,\nAda Lovelace" });
            await db.ExecuteAsync("UPDATE jobs SET status = 'applied', applied_at = @at WHERE id = @id;", new { id = Id(2), at = At(-9) });
            await db.ExecuteAsync(
                "UPDATE jobs SET status = 'phone_screen', applied_at = @applied, phone_screen_at = @since, interview_date = @date, cover_letter = 'Dear Initech,\n\nHello.\n\nAda' WHERE id = @interview;",
                new { interview, applied = At(-12), since = At(-2), date = At(3) });
            await db.ExecuteAsync("UPDATE jobs SET status = 'offer', offer_at = @at, interview_date = @date WHERE id = @id;", new { id = Id(5), at = At(-1), date = At(-4) });
            await db.ExecuteAsync("UPDATE jobs SET status = 'interview_rejected', rejection_stage = 'Phone screen' WHERE id = @id;", new { id = Id(6) });
            await db.ExecuteAsync("""
                INSERT INTO company_research (job_id, generated_at, company_brief, ceo_brief, talking_points, tech_brief, funding_brief, red_flags, accessibility_brief)
                VALUES (@interview, @at, 'Initech makes consulting software.', 'Founder-led.', '- Ask about the Vue migration.', 'Vue 3, TypeScript.', 'Bootstrapped.', 'No significant red flags.', 'Step-free offices.');
                """, new { interview, at = At(-1) });
            await db.ExecuteAsync("INSERT INTO interview_notes (job_id, notes, updated_at) VALUES (@interview, 'Recruiter: Sam. Ask about on-call.', @at);", new { interview, at = At(-1) });
            await db.ExecuteAsync("""
                INSERT INTO background_tasks (task_type, job_id, status, error, created_at, finished_at, updated_at)
                VALUES ('discovery', 0, 'failed', 'Interrupted by restart', @at, @at, @at),
                       ('scrape_url', @job, 'completed', 'Senior Platform Engineer @ Acme Robotics', @at, @at, @at);
                """, new { job, at = At(0) });
            return new Ids(job, interview);
        });
    }
}
