using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Storage;

namespace Peregrine.Tests.Jobs;

/// <summary>What the service writes for a user is a standard SQLCipher 4 file under the documented key derivation.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class ServiceWrittenFileTests
{
    [Fact]
    public async Task AJobSavedThroughTheApiReadsBackWithStockSqlcipher4AndTheDocumentedKey()
    {
        await using var factory = new PeregrineApiFactory();
        var user = Guid.NewGuid().ToString();
        using var client = factory.CreateClient(user);

        using var created = await client.PostAsJsonAsync("/peregrine/api/jobs", new { title = "Cartographer", company = "Acme", url = "https://jobs.example/stock" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Derived here by hand (HMAC-SHA256, secret as key, user id as message), not through the service's own code.
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(PeregrineApiFactory.ServerSecret), Encoding.UTF8.GetBytes(user));
        using var stock = StoreFixtures.OpenWithStockSqlCipher4(factory.UserDatabase(user).Path, new Peregrine.Storage.DatabaseKey(key));
        Assert.Equal("Cartographer", await stock.ExecuteScalarAsync<string>("SELECT title FROM jobs WHERE url = 'https://jobs.example/stock';"));
    }
}
