using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>
/// A connection whose <see cref="ConnectionString"/> reads back without <c>Password=</c>, as ADO.NET providers do with
/// <c>Persist Security Info=false</c>. Dapper stores the string of every connection it caches a query for, for the life
/// of the process, and a user's raw key must not live there. Microsoft.Data.Sqlite opens from the options it parsed
/// when the string was set (its pool group), never from this getter, so the key still applies.
/// </summary>
internal sealed class KeyHidingConnection(string connectionString) : SqliteConnection(connectionString)
{
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
