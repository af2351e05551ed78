using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Data.Sqlite;
using Peregrine.Llm;

namespace Peregrine.Ai;

/// <summary>The part of a job a prompt is built from.</summary>
public sealed record JobForPrompt(long Id, string? Title, string? Company, string? Location, string? Description)
{
    public const int MaxDescriptionChars = 8000;

    public static JobForPrompt? Read(SqliteConnection db, long id)
    {
        const string sql = "SELECT id, title, company, location, description FROM jobs WHERE id = @id;";
        return db.QuerySingleOrDefault<JobForPrompt>(sql, new { id });
    }

    public string DescriptionForPrompt =>
        Description is { Length: > MaxDescriptionChars } text ? text[..MaxDescriptionChars] : Description ?? string.Empty;

    public static bool Exists(SqliteConnection db, long id) =>
        db.ExecuteScalar<long>("SELECT count(*) FROM jobs WHERE id = @id;", new { id }) > 0;
}

/// <summary>The AI endpoints' own problems (inference unavailable, a tier required); the rest are <see cref="Errors.Problems"/>.</summary>
public static class AiProblems
{
    /// <summary>
    /// Upstream's prefix ("LLM generation failed: …") on the safe message; 503 rather than upstream's 500, because the
    /// service is fine and the inference behind it is not available.
    /// </summary>
    public static ProblemHttpResult Unavailable(LlmUnavailableException e) =>
        TypedResults.Problem($"LLM generation failed: {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable);

    public static ProblemHttpResult TierRequired(FeatureAccess refused, string label) =>
        TypedResults.Problem(
            TierRequiredMessage(refused, label),
            statusCode: StatusCodes.Status403Forbidden,
            extensions: new Dictionary<string, object?> { ["feature"] = refused.Feature, ["required_tier"] = refused.MinimumTier, ["tier"] = refused.Tier });

    /// <summary>The refusal's text, which the pages show too.</summary>
    public static string TierRequiredMessage(FeatureAccess refused, string label) =>
        $"{label} requires a {FeatureTiers.Label(refused.MinimumTier)} plan, or your own LLM backend (BYOK).";
}
