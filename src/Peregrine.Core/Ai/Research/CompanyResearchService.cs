using Dapper;
using Peregrine.Llm;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Ai.Research;

/// <summary>Company research for a job (paid, or BYOK): queue it, write it (the task's work), read it back.</summary>
public sealed class CompanyResearchService(
    FeatureGate gate, UserDatabases databases, ITaskWakeup wakeup, TimeProvider time)
{
    /// <summary>
    /// Whether this user may use research: their tier, or an LLM of their own. In the demo the simulated tier answers
    /// first, so the pills visibly change it; a permitted request then meets the demo's AI refusal in its task.
    /// </summary>
    public Task<FeatureAccess> AccessAsync(UserContext user, CancellationToken cancellationToken) =>
        gate.CheckAsync(user, FeatureTiers.CompanyResearch, cancellationToken);

    public Task<TaskSubmission?> QueueAsync(UserContext user, long jobId, CancellationToken cancellationToken)
        => JobTaskQueue.QueueAsync(databases, wakeup, time, user, TaskTypes.CompanyResearch, jobId, cancellationToken);

    public async Task<CompanyResearch?> GetAsync(UserContext user, long jobId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT job_id, company_brief, ceo_brief, talking_points, tech_brief, funding_brief, red_flags,
                   accessibility_brief, generated_at
            FROM company_research WHERE job_id = @jobId;
            """;

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return await db.QuerySingleOrDefaultAsync<CompanyResearch>(new CommandDefinition(sql, new { jobId }, cancellationToken: cancellationToken));
    }
}

/// <summary>Writes the research inside the <c>company_research</c> task (apart from the service: see <c>CoverLetterWriter</c>).</summary>
public sealed class CompanyResearchWriter(ILlmRouter router, TimeProvider time)
{
    public async Task GenerateAsync(TaskRun run, CancellationToken cancellationToken)
    {
        const string upsert = """
            INSERT INTO company_research (job_id, generated_at, company_brief, ceo_brief, talking_points, raw_output,
                tech_brief, funding_brief, competitors_brief, red_flags, scrape_used, accessibility_brief)
            VALUES (@JobId, @GeneratedAt, @CompanyBrief, @CeoBrief, @TalkingPoints, @RawOutput,
                @TechBrief, @FundingBrief, @CompetitorsBrief, @RedFlags, 0, @AccessibilityBrief)
            ON CONFLICT (job_id) DO UPDATE SET
                generated_at = excluded.generated_at, company_brief = excluded.company_brief, ceo_brief = excluded.ceo_brief,
                talking_points = excluded.talking_points, raw_output = excluded.raw_output, tech_brief = excluded.tech_brief,
                funding_brief = excluded.funding_brief, competitors_brief = excluded.competitors_brief,
                red_flags = excluded.red_flags, scrape_used = 0, accessibility_brief = excluded.accessibility_brief;
            """;

        router.ThrowIfDisabled();
        var job = await run.WithDatabaseAsync(db => JobForPrompt.Read(db, run.JobId), cancellationToken)
            ?? throw new TaskFailedException($"Job {run.JobId} not found");
        var candidate = CandidateProfile.Load(run.User);
        await run.ReportStageAsync("Researching company", cancellationToken);
        var output = await router.CompleteAsync(run.User, LlmChain.Research, ResearchPrompt.System, ResearchPrompt.Build(candidate, job), cancellationToken);
        var sections = ResearchPrompt.Sections(output);
        var row = new
        {
            JobId = run.JobId,
            GeneratedAt = Timestamps.Now(time),
            CompanyBrief = sections.GetValueOrDefault(ResearchPrompt.Company),
            CeoBrief = sections.GetValueOrDefault(ResearchPrompt.Leadership),
            TalkingPoints = sections.GetValueOrDefault(ResearchPrompt.TalkingPoints),
            RawOutput = output,
            TechBrief = sections.GetValueOrDefault(ResearchPrompt.Tech),
            FundingBrief = sections.GetValueOrDefault(ResearchPrompt.Funding),
            CompetitorsBrief = sections.GetValueOrDefault(ResearchPrompt.Competitors),
            RedFlags = sections.GetValueOrDefault(ResearchPrompt.RedFlags),
            AccessibilityBrief = sections.GetValueOrDefault(ResearchPrompt.Accessibility),
        };
        await run.WithDatabaseAsync(db => db.Execute(upsert, row), cancellationToken);
    }
}

/// <summary><c>GET /api/jobs/{id}/research</c>: upstream's fields.</summary>
public sealed record CompanyResearch(
    long JobId,
    string? CompanyBrief,
    string? CeoBrief,
    string? TalkingPoints,
    string? TechBrief,
    string? FundingBrief,
    string? RedFlags,
    string? AccessibilityBrief,
    string? GeneratedAt);

public sealed class CompanyResearchTaskHandler(CompanyResearchWriter research) : IBackgroundTaskHandler
{
    public string TaskType => TaskTypes.CompanyResearch;

    public async Task<string?> RunAsync(TaskRun run, CancellationToken cancellationToken)
    {
        try
        {
            await research.GenerateAsync(run, cancellationToken);
            return "Research ready";
        }
        catch (LlmUnavailableException e)
        {
            throw new TaskFailedException(e.Message);
        }
    }
}
