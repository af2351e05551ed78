using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Tests.Backup;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Errors;

/// <summary>Every bad input is a 4xx problem, never a 500 or the framework's bare default (issue 10, item 5).</summary>
[Collection(Platform.PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class BadInputTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string InspectPath = "/peregrine/api/settings/data/backup/inspect";
    private PeregrineApiFactory _factory = null!;
    private readonly string _user = Guid.NewGuid().ToString();
    private HttpClient _client = null!;

    /// <summary>Every endpoint of the app's route table that takes a request body.</summary>
    public static TheoryData<string, string, bool> EndpointsWithBodies
    {
        get
        {
            using var factory = new PeregrineApiFactory();
            var data = new TheoryData<string, string, bool>();
            foreach (var (method, route, acceptsJson) in RouteTable(factory).Where(r => r.Method is "POST" or "PUT" or "PATCH" or "DELETE"))
            {
                data.Add(method, route, acceptsJson);
            }

            return data;
        }
    }

    public async Task InitializeAsync()
    {
        // With the platform DB, so that a route's 503 can only mean a fault, not a missing dependency.
        _factory = await Platform.PlatformApi.StartAsync(postgres);
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
    [InlineData(RestorePath)]
    [InlineData(InspectPath)]
    public async Task A_six_byte_non_zip_is_a_400_problem(string path)
    {
        using var response = await UploadAsync(_client, path, "hello!"u8.ToArray());

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData(RestorePath)]
    [InlineData(InspectPath)]
    public async Task A_zip_with_duplicate_entry_names_is_a_400_problem(string path)
    {
        var zip = BackupZips.Create(("config/user.yaml", BackupZips.Text("name: One\n")), ("config/user.yaml", BackupZips.Text("name: Two\n")));

        using var response = await UploadAsync(_client, path, zip);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/peregrine/api/jobs/archive")]
    [InlineData("/peregrine/api/jobs/purge")]
    public async Task Forty_thousand_statuses_are_a_400_problem_and_change_nothing(string path)
    {
        var statuses = Enumerable.Range(0, 40_000).Select(i => $"status-{i}").Append("pending").ToArray();

        using var response = await _client.PostAsJsonAsync(path, new { statuses });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(3, CountJobs(_factory.UserDatabase(_user)));
    }

    [Theory]
    [InlineData("limit=abc")]
    [InlineData("limit=99999999999999")]
    public async Task A_query_value_of_the_wrong_type_is_a_400_problem(string query)
    {
        using var response = await _client.GetAsync($"/peregrine/api/jobs?{query}");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(EndpointsWithBodies))]
    public async Task Malformed_bodies_are_answered_with_a_4xx_problem(string method, string route, bool acceptsJson)
    {
        var path = "/peregrine" + route.Replace("{id:long}", "1", StringComparison.Ordinal);
        string[] malformed = ["{\"statuses\": [", "[1, 2]", "\"text\"", "{\"statuses\": 5, \"hours\": \"4\", \"urls\": \"x\", \"text\": {}, \"status\": [], \"target\": 1, \"confirm\": 3, \"master_off\": \"yes\", \"url\": 7}"];

        foreach (var body in malformed)
        {
            using var response = await SendAsync(method, path, body, "application/json");
            if (acceptsJson)
            {
                await AssertProblemAsync(response, HttpStatusCode.BadRequest, $"{method} {route} with {body}");
            }
            else
            {
                await AssertNotServerErrorAsync(response, $"{method} {route} with {body}");
            }
        }

        using var wrongType = await SendAsync(method, path, "hello", "text/plain");
        if (acceptsJson)
        {
            await AssertProblemAsync(wrongType, HttpStatusCode.UnsupportedMediaType, $"{method} {route} as text/plain");
        }
        else
        {
            await AssertNotServerErrorAsync(wrongType, $"{method} {route} as text/plain");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string body, string contentType) =>
        await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        });

    private static List<(string Method, string Route, bool AcceptsJson)> RouteTable(PeregrineApiFactory factory) =>
        [.. factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/peregrine/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(method => (
                Method: method,
                Route: e.RoutePattern.RawText!["/peregrine".Length..],
                AcceptsJson: e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/json") == true)))
            .Distinct()
            .OrderBy(r => r.Route, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)];

    private static async Task AssertNotServerErrorAsync(HttpResponseMessage response, string what)
    {
        Assert.True((int)response.StatusCode < 500, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if ((int)response.StatusCode >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string? what = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{what}: expected {(int)expected}, got {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(problem.TryGetProperty("detail", out var detail) ? detail.GetString() : null), $"{what}: no detail in {body}");
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"at (System|Microsoft|Peregrine|Npgsql)\.", body);
    }
}
