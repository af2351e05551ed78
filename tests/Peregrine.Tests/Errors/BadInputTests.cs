using System.Net;
using System.Net.Http.Headers;
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

/// <summary>Every bad input is a 4xx problem, never a 500 or the framework's bare default.</summary>
[Collection(Platform.PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class BadInputTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string InspectPath = "/peregrine/api/settings/data/backup/inspect";
    private PeregrineApiFactory _factory = null!;
    private readonly string _user = Guid.NewGuid().ToString();
    private HttpClient _client = null!;

    /// <summary>Every endpoint of the app's route table that takes a request body.</summary>
    public static TheoryData<string, string, bool, bool> EndpointsWithBodies
    {
        get
        {
            using var factory = new PeregrineApiFactory();
            var data = new TheoryData<string, string, bool, bool>();
            foreach (var (method, route, acceptsJson, freeForm) in RouteTable(factory).Where(r => r.Method is "POST" or "PUT" or "PATCH" or "DELETE"))
            {
                data.Add(method, route, acceptsJson, freeForm);
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
    public async Task ASixByteNonZipIsA400Problem(string path)
    {
        using var response = await UploadAsync(_client, path, "hello!"u8.ToArray());

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData(RestorePath)]
    [InlineData(InspectPath)]
    public async Task AZipWithDuplicateEntryNamesIsA400Problem(string path)
    {
        var zip = BackupZips.Create(("config/user.yaml", BackupZips.Text("name: One\n")), ("config/user.yaml", BackupZips.Text("name: Two\n")));

        using var response = await UploadAsync(_client, path, zip);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/peregrine/api/jobs/archive")]
    [InlineData("/peregrine/api/jobs/purge")]
    public async Task FortyThousandStatusesAreA400ProblemAndChangeNothing(string path)
    {
        var statuses = Enumerable.Range(0, 40_000).Select(i => $"status-{i}").Append("pending").ToArray();

        using var response = await _client.PostAsJsonAsync(path, new { statuses });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(3, CountJobs(_factory.UserDatabase(_user)));
    }

    [Theory]
    [InlineData("limit=abc")]
    [InlineData("limit=99999999999999")]
    public async Task AQueryValueOfTheWrongTypeIsA400Problem(string query)
    {
        using var response = await _client.GetAsync($"/peregrine/api/jobs?{query}");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(EndpointsWithBodies))]
    public async Task MalformedBodiesAreAnsweredWithA4xxProblem(string method, string route, bool acceptsJson, bool freeForm)
    {
        var path = "/peregrine" + route.Replace("{id:long}", "1", StringComparison.Ordinal);
        // The last: a wrong type for a field of each endpoint's body (a free-form object such as the resume declares none).
        const string wrongTypes = "{\"statuses\": 5, \"hours\": \"4\", \"urls\": \"x\", \"text\": {}, \"status\": [], \"target\": 1, \"confirm\": 3, \"master_off\": \"yes\", \"url\": 7, \"name\": 5, \"remote_preference\": [], \"include_db\": \"yes\", \"title\": 5, \"company\": [], \"notes\": 5, \"feedback\": 5, \"previous_result\": 7, \"time_zone\": 5}";
        string[] malformed = ["{\"statuses\": [", "[1, 2]", "\"text\"", wrongTypes];

        foreach (var body in malformed)
        {
            using var response = await SendAsync(method, path, body, "application/json");
            if (acceptsJson && !(freeForm && body == wrongTypes))
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

        // A truncated multipart body: an endpoint that reads its form by hand must answer it as the binder does, with a 4xx.
        using var truncatedForm = await SendAsync(method, path, "--b\r\nContent-Disposition: form-data; name=\"file\"", "multipart/form-data; boundary=b");
        await AssertNotServerErrorAsync(truncatedForm, $"{method} {route} with a truncated multipart body");
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string body, string contentType) =>
        await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType)),
        });

    /// <summary>
    /// The endpoints under the path base (<c>/peregrine</c> is a path base, not part of the route patterns), less the
    /// Razor component pages: their POSTs are Blazor form posts, which answer bad input with the browser's error page.
    /// Static assets are GET/HEAD only, so the methods filter leaves them out.
    /// </summary>
    private static List<(string Method, string Route, bool AcceptsJson, bool FreeForm)> RouteTable(PeregrineApiFactory factory) =>
        [.. factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is not null && !e.Metadata.Any(m => m.GetType().Name == "ComponentTypeMetadata"))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(method => (
                Method: method,
                Route: "/" + e.RoutePattern.RawText!.TrimStart('/'),
                AcceptsJson: e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/json") == true,
                FreeForm: e.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType == typeof(JsonElement))))
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
