using Dapper;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Peregrine.Demo.Limits;

/// <summary>
/// At most <see cref="DemoOptions.MaxJobsPerSandbox"/> jobs per sandbox, whatever inserts them (API, imports, discovery,
/// later inserts into a restored DB). A TEMP trigger on every connection the demo opens, so the rule lives in the demo
/// process and never travels into a visitor's exported DB; the refusal becomes a 409 problem, not a 500.
/// </summary>
public sealed class JobCap(IOptions<DemoOptions> options, IProblemDetailsService problems) : IExceptionHandler
{
    /// <summary>The trigger's message; SQLite reports it as SQLITE_CONSTRAINT_TRIGGER.</summary>
    public const string Marker = "demo sandbox job limit reached";

    private const int ConstraintTrigger = 1811;

    public static void Install(SqliteConnection connection, int maxJobs) =>
        connection.Execute($"""
            CREATE TEMP TRIGGER IF NOT EXISTS demo_sandbox_job_cap BEFORE INSERT ON main.jobs
            WHEN (SELECT count(*) FROM main.jobs) >= {maxJobs}
            BEGIN SELECT RAISE(ABORT, '{Marker}'); END;
            """);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not SqliteException { SqliteExtendedErrorCode: ConstraintTrigger } sqlite || !sqlite.Message.Contains(Marker, StringComparison.Ordinal))
        {
            return false;
        }

        return await problems.WriteAsync(httpContext, StatusCodes.Status409Conflict, "Demo limit reached",
            $"The public demo keeps at most {options.Value.MaxJobsPerSandbox} jobs per visitor. Remove some jobs or reset the demo.");
    }
}
