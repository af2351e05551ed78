using Dapper;
using Microsoft.Data.Sqlite;

namespace Peregrine.Demo.Seed;

/// <summary>
/// The seed's dates are written as of one day (its <c>today</c>); a visitor should see an interview "tomorrow", not
/// one months ago. So every new sandbox moves each stored date by the days between that day and its own UTC today, in
/// one transaction on its own copy. The template itself stays as built, so the seed version does not change by date.
/// </summary>
internal static class SeedDates
{
    /// <summary>Every date column the seed writes: ISO instants, and the calendar-day <c>date_found</c>.</summary>
    private static readonly (string Table, string Column)[] Instants =
    [
        ("jobs", "applied_at"), ("jobs", "phone_screen_at"), ("jobs", "interviewing_at"), ("jobs", "offer_at"),
        ("jobs", "hired_at"), ("jobs", "survey_at"), ("jobs", "interview_date"),
        ("job_contacts", "received_at"), ("company_research", "generated_at"),
        ("background_tasks", "created_at"), ("background_tasks", "started_at"), ("background_tasks", "finished_at"),
        ("background_tasks", "updated_at"),
    ];

    public static int DaysToMove(DateOnly seedToday, DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime).DayNumber - seedToday.DayNumber;

    public static void MoveBy(string databasePath, int days)
    {
        if (days == 0)
        {
            return;
        }

        var shift = $"{(days > 0 ? "+" : "")}{days} days";
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        db.Open();
        using var transaction = db.BeginTransaction();
        foreach (var (table, column) in Instants)
        {
            // Names from the fixed list above; the amount is a bound parameter.
            db.Execute(
                $"UPDATE {table} SET {column} = strftime('%Y-%m-%dT%H:%M:%SZ', {column}, @shift) WHERE {column} IS NOT NULL;",
                new { shift }, transaction);
        }

        db.Execute("UPDATE jobs SET date_found = date(date_found, @shift) WHERE date_found IS NOT NULL;", new { shift }, transaction);
        transaction.Commit();
    }
}
