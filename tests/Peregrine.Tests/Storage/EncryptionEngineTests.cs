using System.Text;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

[Trait(Category.Name, Category.Unit)]
public sealed class EncryptionEngineTests : IDisposable
{
    private const string Secret = "the-plaintext-that-must-not-appear-on-disk";
    private readonly TestDirectory _dir = new();
    private readonly DatabaseKey _key = DatabaseKey.Derive("test-secret", "00000000-0000-0000-0000-000000000001");

    public void Dispose() => _dir.Dispose();

    private string CreateKeyedDatabase()
    {
        var path = _dir.Combine("keyed.db");
        using var connection = SqliteDatabase.Open(path, _key, pooling: false);
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('{Secret}');";
        command.ExecuteNonQuery();
        return path;
    }

    [Fact]
    public void EngineReportsSqlite353()
    {
        using var connection = SqliteDatabase.Open(":memory:", key: null, pooling: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version();";
        Assert.StartsWith("3.53.", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public void KeyedFileHasNoPlainSqliteHeaderAndNoPlaintext()
    {
        var bytes = File.ReadAllBytes(CreateKeyedDatabase());
        Assert.False(bytes.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8));
        Assert.DoesNotContain(Secret, Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void KeyedFileReadsBackWithTheRightKey()
    {
        var path = CreateKeyedDatabase();
        using var connection = SqliteDatabase.Open(path, _key, pooling: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM notes;";
        Assert.Equal(Secret, command.ExecuteScalar());
    }

    [Fact]
    public void WrongKeyFailsToOpen()
    {
        var path = CreateKeyedDatabase();
        var wrongKey = DatabaseKey.Derive("test-secret", "00000000-0000-0000-0000-000000000002");
        var error = Assert.Throws<SqliteException>(() => SqliteDatabase.Open(path, wrongKey, pooling: false).Dispose());
        Assert.Equal(26, error.SqliteErrorCode); // SQLITE_NOTADB
    }

    [Fact]
    public void NoKeyFailsToOpen()
    {
        var path = CreateKeyedDatabase();
        var error = Assert.Throws<SqliteException>(() => SqliteDatabase.Open(path, key: null, pooling: false).Dispose());
        Assert.Equal(26, error.SqliteErrorCode);
    }

    [Fact]
    public void KeyedFileUsesTheSqlcipherScheme()
    {
        var path = CreateKeyedDatabase();
        using var connection = SqliteDatabase.Open(path, _key, pooling: false);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA cipher;";
        Assert.Equal("sqlcipher", command.ExecuteScalar());
    }

    [Fact]
    public void KeyedFileOpensWithStockSqlcipher4Semantics()
    {
        // What a stock SQLCipher 4 user types: compatibility 4, then the raw key, on a plain (non-URI) open.
        var path = CreateKeyedDatabase();
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA cipher_compatibility = 4; PRAGMA key = \"x'{_key.ToHex()}'\";";
        command.ExecuteNonQuery();
        command.CommandText = "SELECT body FROM notes;";
        Assert.Equal(Secret, command.ExecuteScalar());
    }

    [Fact]
    public void KeyNeverPrintsItself()
    {
        Assert.DoesNotContain(_key.ToHex(), _key.ToString(), StringComparison.Ordinal);
    }
}
