using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Web;

/// <summary>
/// A page form post whose body the framework cannot use (no or a garbled antiforgery token, a truncated multipart
/// body, a body that is not a form) gets our friendly 400 page in a browser, and problem+json for a JSON client:
/// never the framework's own text.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class MalformedPagePostTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly string _user = Guid.NewGuid().ToString();

    public static TheoryData<string, string, string> MalformedPosts => new()
    {
        { "no token", "application/x-www-form-urlencoded", "_handler=add-urls&Urls=https%3A%2F%2Fjobs.example%2F1" },
        { "garbled token", "application/x-www-form-urlencoded", "_handler=add-urls&__RequestVerificationToken=CfDJ8garbage%25%25&Urls=x" },
        { "truncated multipart", "multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"_handler\"\r\n\r\nupload-csv\r\n--XyZ\r\nContent-Disposition: form-data; name=\"CsvFile\"; filename=\"a.csv\"\r\n\r\nhttps://jobs.ex" },
        { "multipart without a boundary", "multipart/form-data", "--XyZ\r\n\r\n" },
        { "not a form", "text/plain", "_handler=add-urls&Urls=x" },
        { "json body", "application/json", """{"_handler":"add-urls"}""" },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Theory]
    [MemberData(nameof(MalformedPosts))]
    public async Task ABrowserGetsTheFriendly400Page(string what, string contentType, string body)
    {
        using var client = _factory.CreateClient(_user);
        client.DefaultRequestHeaders.Add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");

        using var response = await PostAsync(client, contentType, body);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>That request could not be used</h1>", page, StringComparison.Ordinal);
        Assert.Contains("Back to Peregrine", page, StringComparison.Ordinal);
        Assert.DoesNotContain("antiforgery", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", page, StringComparison.Ordinal);
        Assert.Equal(0, await JobCountAsync(client));
    }

    [Theory]
    [MemberData(nameof(MalformedPosts))]
    public async Task AJsonClientGetsA400Problem(string what, string contentType, string body)
    {
        using var client = _factory.CreateClient(_user);
        client.DefaultRequestHeaders.Add("Accept", "application/json");

        using var response = await PostAsync(client, contentType, body);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("Exception", problem.GetRawText(), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string contentType, string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return client.PostAsync("/peregrine/", content);
    }

    private static async Task<long> JobCountAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts")).GetProperty("total").GetInt64();
}
