using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>
/// A connection whose <see cref="ConnectionString"/> reads back without <c>Password=</c>, as ADO.NET providers do with
/// <c>Persist Security Info=false</c>. Dapper stores the string of every connection it caches a query for, for the life
/// of the process, and a user's raw key must not live there. Microsoft.Data.Sqlite opens from the options it parsed
/// when the string was set (its pool group), never from this getter, so the key still applies.
/// An unpooled connection also takes its pool group (which holds the key) with it when it is disposed: nothing reuses
/// it, and the pool's eviction forgets only the groups of pooled strings (<see cref="SqlitePoolGroups.ForgetGroup"/>).
/// </summary>
internal sealed class KeyHidingConnection(string connectionString, bool unpooled) : SqliteConnection(connectionString)
{
    private readonly string _opened = connectionString;
    private string? _shown;

    [AllowNull]
    public override string ConnectionString
    {
        get => _shown ??= WithoutPassword(base.ConnectionString);
        set
        {
            base.ConnectionString = value;
            _shown = null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && unpooled)
        {
            SqlitePoolGroups.ForgetGroup(_opened);
        }
    }

    private static string WithoutPassword(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Password.Length == 0)
        {
            return connectionString;
        }

        builder.Remove("Password");
        return builder.ToString();
    }
}
