using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Errors;

/// <summary>
/// Full and read-only storage answer 507 / 503 problems that say so, and leave the data as it was. The faults are
/// real SQLite errors: the user's pooled handles are limited to the pages the file has, or made query-only, before
/// the request takes one of them (tests run as root, where a chmod'd tree would still be writable).
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class StorageFaultTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly string _user = Guid.NewGuid().ToString();
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = _factory.CreateClient(_user);
        (await _client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        SeedJobs(_factory.UserDatabase(_user), 3);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Theory]
    [InlineData("PRAGMA max_page_count = 1;", HttpStatusCode.InsufficientStorage, "full")]
    [InlineData("PRAGMA query_only = ON;", HttpStatusCode.ServiceUnavailable, "read-only")]
    public async Task StorageThatRefusesWritesIsAClearProblemAndChangesNothing(string fault, HttpStatusCode expected, string said)
    {
        var databases = _factory.Services.GetRequiredService<UserDatabases>();
        var location = _factory.UserDatabase(_user);
        var pooled = new List<SqliteConnection>();
        for (var i = 0; i < 4; i++)
        {
            var connection = await databases.OpenAsync(location);
            connection.Execute(fault);
            pooled.Add(connection);
        }

        pooled.ForEach(c => c.Dispose());

        using var response = await _client.PostAsJsonAsync("/peregrine/api/jobs", new { url = "https://jobs.example/new", title = "New", description = new string('x', 200_000) });

        await BadInputTests.AssertProblemAsync(response, expected);
        Assert.Contains(said, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, CountJobs(location));
    }
}
