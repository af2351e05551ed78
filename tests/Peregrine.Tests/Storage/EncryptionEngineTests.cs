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
    public void Engine_reports_sqlite_3_53()
    {
        using var connection = SqliteDatabase.Open(":memory:", key: null, pooling: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version();";
        Assert.StartsWith("3.53.", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public void Keyed_file_has_no_plain_sqlite_header_and_no_plaintext()
    {
        var bytes = File.ReadAllBytes(CreateKeyedDatabase());
        Assert.False(bytes.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8));
        Assert.DoesNotContain(Secret, Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Keyed_file_reads_back_with_the_right_key()
    {
        var path = CreateKeyedDatabase();
        using var connection = SqliteDatabase.Open(path, _key, pooling: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM notes;";
        Assert.Equal(Secret, command.ExecuteScalar());
    }

    [Fact]
    public void Wrong_key_fails_to_open()
    {
        var path = CreateKeyedDatabase();
        var wrongKey = DatabaseKey.Derive("test-secret", "00000000-0000-0000-0000-000000000002");
        var error = Assert.Throws<SqliteException>(() => SqliteDatabase.Open(path, wrongKey, pooling: false).Dispose());
        Assert.Equal(26, error.SqliteErrorCode); // SQLITE_NOTADB
    }

    [Fact]
    public void No_key_fails_to_open()
    {
        var path = CreateKeyedDatabase();
        var error = Assert.Throws<SqliteException>(() => SqliteDatabase.Open(path, key: null, pooling: false).Dispose());
        Assert.Equal(26, error.SqliteErrorCode);
    }

    [Fact]
    public void Keyed_file_uses_the_sqlcipher_scheme()
    {
        var path = CreateKeyedDatabase();
        using var connection = SqliteDatabase.Open(path, _key, pooling: false);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA cipher;";
        Assert.Equal("sqlcipher", command.ExecuteScalar());
    }

    [Fact]
    public void Keyed_file_opens_with_stock_sqlcipher_4_semantics()
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
    public void Key_never_prints_itself()
    {
        Assert.DoesNotContain(_key.ToHex(), _key.ToString(), StringComparison.Ordinal);
    }
}
