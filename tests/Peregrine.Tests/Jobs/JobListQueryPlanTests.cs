using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Jobs;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Storage;

namespace Peregrine.Tests.Jobs;

/// <summary>
/// The job list must cost the rows it returns, not the rows the user has: SQLite has to walk an
/// index in list order and stop at the limit, which shows in its plan as no temp B-tree for the ORDER BY.
/// </summary>
[Trait(Category.Name, Category.Unit)]
public sealed class JobListQueryPlanTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly DatabaseLocation _location;

    public JobListQueryPlanTests() => _location = new("owner", _dir.Combine("staging.db"), StoreFixtures.NewKey());

    public void Dispose() => _dir.Dispose();

    private static IReadOnlyList<string> Plan(SqliteConnection connection) =>
        [.. connection.Query<(long Id, long Parent, long NotUsed, string Detail)>($"EXPLAIN QUERY PLAN {JobsService.ListSql}", new { status = JobStatuses.Pending, limit = 500 })
            .Select(row => row.Detail)];

    [Fact]
    public void TheListWalksTheStatusScoreIdIndexWithoutSorting()
    {
        using var connection = new UserDatabases().Open(_location);
        connection.Execute("ANALYZE;");

        var plan = Plan(connection);

        Assert.Contains(plan, step => step.Contains("USING INDEX ix_jobs_status_score_id (status=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSupersededStatusIndexIsGone()
    {
        using var connection = new UserDatabases().Open(_location);

        var indexes = connection.Query<string>("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL ORDER BY name;");

        Assert.Equal(["ix_jobs_status_score_id"], indexes);
    }

    [Fact]
    public void TheIndexOrderIsTheListOrderUnscoredLastTiesNewestFirst()
    {
        using var connection = new UserDatabases().Open(_location);
        connection.Execute("""
            INSERT INTO jobs (id, url, match_score, status) VALUES
                (1, 'https://jobs.example/1', NULL, 'pending'),
                (2, 'https://jobs.example/2', 0.5, 'pending'),
                (3, 'https://jobs.example/3', NULL, 'pending'),
                (4, 'https://jobs.example/4', 0.9, 'pending'),
                (5, 'https://jobs.example/5', 0.5, 'pending'),
                (6, 'https://jobs.example/6', 1.0, 'rejected'),
                (7, 'https://jobs.example/7', -1.0, 'pending');
            """);

        // The first column of the list is the id.
        var ids = connection.Query<long>(JobsService.ListSql, new { status = JobStatuses.Pending, limit = 10 });
        var limited = connection.Query<long>(JobsService.ListSql, new { status = JobStatuses.Pending, limit = 3 });

        Assert.Equal([4L, 5, 2, 7, 3, 1], ids);
        Assert.Equal([4L, 5, 2], limited);
    }
}
