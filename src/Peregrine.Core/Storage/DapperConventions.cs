using System.Data;
using Dapper;

namespace Peregrine.Storage;

/// <summary>
/// How Dapper reads our SQLite rows into positional records: <c>snake_case</c> columns match PascalCase parameters,
/// and SQLite's 0/1 integers read as <see cref="bool"/> (SQLite has no boolean type; upstream's API returns booleans).
/// Dapper's handlers are process-wide, so this one must also suit Postgres: parameters stay real booleans (SQLite's
/// driver stores them as 0/1 itself), and a Postgres boolean read back converts like any other value.
/// </summary>
internal static class DapperConventions
{
    private static int _registered;

    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.ConnectionStringComparer = SameSchemaConnectionStrings.Instance;
        SqlMapper.AddTypeHandler(new IntegerBooleanHandler());
    }

    private sealed class IntegerBooleanHandler : SqlMapper.TypeHandler<bool>
    {
        public override bool Parse(object value) => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) != 0;

        public override void SetValue(IDbDataParameter parameter, bool value) => parameter.Value = value;
    }
}
