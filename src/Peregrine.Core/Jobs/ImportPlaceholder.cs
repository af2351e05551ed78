using Dapper;
using Microsoft.Data.Sqlite;

namespace Peregrine.Jobs;

/// <summary>
/// The title of a job added by URL until its <c>scrape_url</c> task fills it in, as upstream. An import that ends
/// without details (the page failed, or the task was cancelled, killed or interrupted by a restart) gives the job its
/// URL's host name instead, so that no job says "Importing..." once nothing is importing it, and a reason in
/// <c>fetch_error</c> (the page's own, or <see cref="Stopped"/>) for the job's page to offer Retry and "Edit details".
/// </summary>
public static class ImportPlaceholder
{
    public const string Title = "Importing...";

    public const string Stopped = "Fetching this listing was stopped before it finished. Retry, or fill in the details below.";

    /// <summary>Replaces the placeholder title of job <paramref name="jobId"/>, if it still has it, and says why it has no details.</summary>
    public static int ReplaceAfterFailedImport(SqliteConnection db, long jobId, string url, SqliteTransaction? transaction = null)
    {
        const string sql = """
            UPDATE jobs SET title = @host, fetch_error = coalesce(fetch_error, @stopped)
            WHERE id = @jobId AND title = @placeholder;
            """;
        var host = Uri.TryCreate(url, UriKind.Absolute, out var address) ? address.Host : url;
        return db.Execute(sql, new { jobId, host, placeholder = Title, stopped = Stopped }, transaction);
    }
}
