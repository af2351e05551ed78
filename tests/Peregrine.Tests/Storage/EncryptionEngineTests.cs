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

    /// <summary>
    /// Every page of a keyed file carries SQLCipher 4's HMAC-SHA-512, recomputed here with .NET's own crypto from the
    /// format's definition: the HMAC key is PBKDF2-HMAC-SHA-512 of the raw key over the file's salt XOR 0x3a (2
    /// rounds), and each page's MAC covers its ciphertext and IV, then its number (4 bytes, little-endian). The engine
    /// computes SHA-512 with OpenSSL's (eng/build-native.sh), so this pins that to the format, bit for bit.
    /// </summary>
    [Fact]
    public void EveryPageCarriesTheSqlcipher4HmacOfItsCiphertext()
    {
        var path = CreateKeyedDatabase();
        using (var connection = SqliteDatabase.Open(path, _key, pooling: false))
        {
            using var fill = connection.CreateCommand();
            fill.CommandText = "CREATE TABLE filler(body BLOB); INSERT INTO filler VALUES (randomblob(20000)); PRAGMA wal_checkpoint(TRUNCATE);";
            fill.ExecuteNonQuery();
        }

        const int PageSize = 4096, SaltSize = 16, MacSize = 64;
        var file = File.ReadAllBytes(path);
        Assert.True(file.Length >= 6 * PageSize, "the file should span several pages");
        var hmacSalt = file.AsSpan(0, SaltSize).ToArray().Select(b => (byte)(b ^ 0x3a)).ToArray();
        var hmacKey = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(
            Convert.FromHexString(_key.ToHex()), hmacSalt, 2, System.Security.Cryptography.HashAlgorithmName.SHA512, 32);
        for (var page = 1; page <= file.Length / PageSize; page++)
        {
            var start = (page - 1) * PageSize + (page == 1 ? SaltSize : 0);
            var covered = file.AsSpan(start, (page * PageSize) - MacSize - start);
            var number = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, page);
            var expected = System.Security.Cryptography.HMACSHA512.HashData(hmacKey, (byte[])[.. covered, .. number]);
            Assert.True(expected.AsSpan().SequenceEqual(file.AsSpan((page * PageSize) - MacSize, MacSize)), $"page {page}'s HMAC");
        }
    }

    [Fact]
    public void KeyNeverPrintsItself()
    {
        Assert.DoesNotContain(_key.ToHex(), _key.ToString(), StringComparison.Ordinal);
    }
}
