using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Demo;

/// <summary>
/// The demo's jobs: a versioned synthetic fixture (<c>demo-jobs.json</c>: invented companies, <c>example.com</c>
/// links, no real person), loaded into the demo's own DB at start when it holds no jobs, so a fresh demo is never
/// empty and a restarted one keeps what it has. Upstream seeded its demo with a script that was not in its repo.
/// </summary>
internal static class DemoData
{
    private const string InsertJob = """
        INSERT OR IGNORE INTO jobs (title, company, url, source, location, is_remote, salary, description,
                                    match_score, keyword_gaps, date_found, status)
        VALUES (@Title, @Company, @Url, @Source, @Location, @IsRemote, @Salary, @Description,
                @MatchScore, @KeywordGaps, @DateFound, @Status);
        """;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<int> SeedAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var user = LocalUserResolver.LocalUser(app.Services.GetRequiredService<IOptions<PeregrineOptions>>().Value);
        await app.Services.GetRequiredService<UserTreeProvisioner>().EnsureProvisionedAsync(user, cancellationToken);
        await using var db = await app.Services.GetRequiredService<UserDatabases>().OpenAsync(user.Database, cancellationToken);
        if (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs;") > 0)
        {
            return 0;
        }

        await using var fixture = typeof(DemoData).Assembly.GetManifestResourceStream("Peregrine.Demo.demo-jobs.json")
            ?? throw new InvalidOperationException("demo-jobs.json is not embedded in the demo assembly");
        var jobs = await JsonSerializer.DeserializeAsync<List<DemoJob>>(fixture, Json, cancellationToken) ?? [];
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        var inserted = await db.ExecuteAsync(new CommandDefinition(InsertJob, jobs, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    private sealed record DemoJob(
        string Title, string Company, string Url, string Source, string Location, bool IsRemote, string Salary,
        string Description, double MatchScore, string KeywordGaps, string DateFound, string Status);
}
