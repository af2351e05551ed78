namespace Peregrine.Backup;

/// <summary>
/// Temp files that hold a copy of a user's DB live beside it (same filesystem, so a rename is atomic, and inside the
/// user's tree, so nothing is written outside it) and are named <c>&lt;db&gt;.&lt;purpose&gt;-&lt;id&gt;.tmp</c>, the
/// pattern the store deletes as stale when it next opens the DB after a crash.
/// </summary>
public static class DatabaseTempFiles
{
    public static string NewPath(string databasePath, string purpose) =>
        $"{databasePath}.{purpose}-{Guid.NewGuid():N}.tmp";

    public static string StalePattern(string databasePath) => $"{Path.GetFileName(databasePath)}.*.tmp";
}
