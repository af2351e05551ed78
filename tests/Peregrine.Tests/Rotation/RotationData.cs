using System.Security.Cryptography;
using System.Text;
using Dapper;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tests.Storage;

namespace Peregrine.Tests.Rotation;

/// <summary>User trees written under a given server secret, and independent checks of which key a file is at.</summary>
internal static class RotationData
{
    public const string S1 = "rotation-secret-one-0123456789abcdef";
    public const string S2 = "rotation-secret-two-fedcba9876543210";
    public const string S3 = "rotation-secret-three-never-configured";

    public static PeregrineOptions Settings(string dataRoot, string current, params string[] previous) => new()
    {
        CloudModeFlag = "true",
        CloudDataRoot = dataRoot,
        ServerSecret = current,
        PreviousServerSecrets = string.Join(",", previous),
        DirectusJwtSecret = Infrastructure.TestTokens.JwtSecret,
    };

    public static UserContext User(string dataRoot, string userId, string current, params string[] previous) =>
        CloudUserResolver.ForUser(Settings(dataRoot, current, previous), userId);

    /// <summary><paramref name="count"/> users, each with <paramref name="jobs"/> jobs, in DBs written through UserDatabases under <paramref name="secret"/>.</summary>
    public static IReadOnlyList<string> CreateUsers(string dataRoot, string secret, int count, int jobs)
    {
        var databases = new UserDatabases(new StorageOptions { MaxPooledDatabases = 2 });
        var users = Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString()).ToList();
        foreach (var user in users)
        {
            var location = User(dataRoot, user, secret).Database;
            using (var connection = databases.Open(location))
            {
                using var transaction = connection.BeginTransaction();
                for (var i = 0; i < jobs; i++)
                {
                    connection.Execute(
                        "INSERT INTO jobs (title, company, url, status, description) VALUES (@title, 'Acme', @url, 'pending', @description);",
                        new { title = $"Engineer {i}", url = $"https://jobs.example/{user}/{i}", description = new string('x', 1500) },
                        transaction);
                }

                transaction.Commit();
            }

            databases.Evict(location);
        }

        return users;
    }

    /// <summary>The key as the runbook documents it, computed here rather than by the service's code.</summary>
    public static DatabaseKey HandKey(string secret, string userId) =>
        new(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(userId)));

    /// <summary>The job count read with stock SQLCipher 4 semantics, or null when <paramref name="secret"/>'s key does not open the file.</summary>
    public static long? JobsWithStockSqlCipher(string path, string secret, string userId)
    {
        try
        {
            using var stock = StoreFixtures.OpenWithStockSqlCipher4(path, HandKey(secret, userId));
            return stock.ExecuteScalar<long>("SELECT count(*) FROM jobs;");
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == 26)
        {
            return null;
        }
    }

    public static string DatabasePath(string dataRoot, string userId) => Path.Combine(dataRoot, userId, PeregrineOptions.DefaultApp, "staging.db");
}
