using System.Text.Json;
using Dapper;
using Peregrine.Llm;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Ai.Qa;

/// <summary>A job's application questions (<c>jobs.application_qa</c>, a JSON list) and the LLM's suggested answers.</summary>
public sealed class ApplicationQaService(ILlmRouter router, UserDatabases databases)
{
    public const int MaxItems = 200;
    public const int MaxQuestionChars = 2000;
    public const int MaxAnswerChars = 20000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Null when the job is not this user's; an unreadable stored list reads as empty, not as an error.</summary>
    public async Task<IReadOnlyList<QaItem>?> GetAsync(UserContext user, long jobId, CancellationToken cancellationToken)
    {
        const string sql = "SELECT id, application_qa FROM jobs WHERE id = @jobId;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<(long Id, string? Qa)?>(new CommandDefinition(sql, new { jobId }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        try
        {
            return string.IsNullOrWhiteSpace(row.Value.Qa) ? [] : JsonSerializer.Deserialize<List<QaItem>>(row.Value.Qa, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>The validation both the API and the pages apply; null when the list is acceptable.</summary>
    public static string? Problem(IReadOnlyList<QaItem>? items) => items switch
    {
        null => "items is required",
        { Count: > MaxItems } => $"at most {MaxItems} items",
        _ when items.Any(i => (i.Question?.Length ?? 0) > MaxQuestionChars) => $"a question is longer than {MaxQuestionChars} characters",
        _ when items.Any(i => (i.Answer?.Length ?? 0) > MaxAnswerChars) => $"an answer is longer than {MaxAnswerChars} characters",
        _ => null,
    };

    public async Task<bool> SaveAsync(UserContext user, long jobId, IReadOnlyList<QaItem> items, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE jobs SET application_qa = @qa WHERE id = @jobId;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var qa = JsonSerializer.Serialize(items, Json);
        return await db.ExecuteAsync(new CommandDefinition(sql, new { jobId, qa }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>2–4 first-person sentences from the job and the résumé (upstream's suggest); null when the job is not this user's.</summary>
    public async Task<string?> SuggestAsync(UserContext user, long jobId, string question, CancellationToken cancellationToken)
    {
        const string system = """
            You help a job candidate answer an application question. Answer in the first person, in two to four
            sentences, using only facts from the résumé given. Answer with the answer text only.
            """;

        router.ThrowIfDisabled();
        JobForPrompt? job;
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            job = JobForPrompt.Read(db, jobId);
        }

        if (job is null)
        {
            return null;
        }

        var candidate = CandidateProfile.Load(user);
        var resume = candidate.Resume.Length > 2500 ? candidate.Resume[..2500] : candidate.Resume;
        var prompt = $"""
            Job: {job.Title} at {job.Company}
            Job description: {(job.DescriptionForPrompt.Length > 2000 ? job.DescriptionForPrompt[..2000] : job.DescriptionForPrompt)}
            Résumé: {resume}
            Career summary: {candidate.CareerSummary}

            Question: {question}
            """;
        return (await router.CompleteAsync(user, LlmChain.General, system, prompt, cancellationToken)).Trim();
    }
}

/// <summary>One question of <c>application_qa</c>; the id is the SPA's own (string or number), kept as sent.</summary>
public sealed record QaItem(JsonElement? Id, string? Question, string? Answer);

public sealed record QaItems(IReadOnlyList<QaItem>? Items);

public sealed record QaQuestion(string? Question);

public sealed record QaAnswer(string Answer);
