using System.Net;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Errors;

[Trait(Category.Name, Category.Service)]
public sealed class ErrorShapeTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new() { EnvironmentName = "Production" };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task AnUnreadableUserDbIsA503ProblemWithoutPathsOrExceptionText()
    {
        var user = Guid.NewGuid().ToString();
        var database = _factory.UserDatabase(user);
        Directory.CreateDirectory(Path.GetDirectoryName(database.Path)!);
        await File.WriteAllBytesAsync(database.Path, System.Security.Cryptography.RandomNumberGenerator.GetBytes(8192));
        using var client = _factory.CreateClient(user);

        using var response = await client.GetAsync("/peregrine/api/jobs?status=pending");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(_factory.DataRoot, body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownRouteIsA404Problem()
    {
        using var client = _factory.CreateAnonymousClient();

        using var response = await client.GetAsync("/peregrine/api/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
