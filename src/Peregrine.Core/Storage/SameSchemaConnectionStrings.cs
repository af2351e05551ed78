namespace Peregrine.Storage;

/// <summary>
/// Dapper's <c>SqlMapper.ConnectionStringComparer</c>: connection strings that differ only in <c>Data Source</c> are
/// one. Dapper keys the code it generates per query by connection string, and every user DB has the same schema at a
/// different path, so with the default comparer each user added an entry per query, kept for the life of the process
/// (it cost 37 KB per user). Sharing is safe: Dapper still checks each reader's columns against the cached shape
/// and rebuilds the mapper when they differ. Allocation-free, because Dapper hashes the string on every query.
/// </summary>
internal sealed class SameSchemaConnectionStrings : IEqualityComparer<string>
{
    private const string DataSourcePrefix = "Data Source=";

    public static SameSchemaConnectionStrings Instance { get; } = new();

    public bool Equals(string? x, string? y) =>
        x is null || y is null ? ReferenceEquals(x, y) : WithoutDataSource(x).SequenceEqual(WithoutDataSource(y));

    public int GetHashCode(string value) => string.GetHashCode(WithoutDataSource(value), StringComparison.Ordinal);

    /// <summary>
    /// What follows the leading <c>Data Source=…</c> pair as Microsoft.Data.Sqlite's builder writes it (quoted with
    /// <c>"</c> or <c>'</c>, doubled inside, when the value needs it); any other string is compared whole.
    /// </summary>
    internal static ReadOnlySpan<char> WithoutDataSource(string connectionString)
    {
        if (!connectionString.StartsWith(DataSourcePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return connectionString;
        }

        var value = connectionString.AsSpan(DataSourcePrefix.Length);
        if (value is ['"' or '\'', ..])
        {
            var quote = value[0];
            var i = 1;
            while (i < value.Length)
            {
                if (value[i] == quote)
                {
                    if (i + 1 < value.Length && value[i + 1] == quote)
                    {
                        i += 2;
                        continue;
                    }

                    return value[(i + 1)..];
                }

                i++;
            }

            return connectionString;
        }

        var end = value.IndexOf(';');
        return end < 0 ? [] : value[end..];
    }
}
