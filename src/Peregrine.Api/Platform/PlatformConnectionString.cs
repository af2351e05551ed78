using Npgsql;

namespace Peregrine.Api.Platform;

/// <summary>Accepts the runbook's <c>postgresql://user:pass@host:port/db</c> form as well as Npgsql keyword strings.</summary>
public static class PlatformConnectionString
{
    public static string Normalize(string value)
    {
        if (!value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            && !value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            return new NpgsqlConnectionStringBuilder(value).ConnectionString;
        }

        var uri = new Uri(value);
        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            Username = Uri.UnescapeDataString(userInfo[0]),
            // The runbook's URL carries a password; without this, Npgsql first tries Kerberos encryption, and in a
            // container without libgssapi (the aspnet images have none) the runtime prints a load error to the log.
            GssEncryptionMode = GssEncryptionMode.Disable,
        };
        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }

        return builder.ConnectionString;
    }
}
