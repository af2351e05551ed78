using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>Clients of a stack's bastion, the one port it publishes (on 127.0.0.1): what a browser behind the edge proxy sends.</summary>
public static class Bastion
{
    /// <summary>A client whose every request carries <paramref name="cookieHeader"/> (or none); cookies and redirects are left to the test.</summary>
    public static HttpClient Client(Uri bastion, string? cookieHeader = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = bastion,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (cookieHeader is not null)
        {
            client.DefaultRequestHeaders.Add("Cookie", cookieHeader);
        }

        return client;
    }

    /// <summary>A signed-in user: the Directus session cookie the edge forwards.</summary>
    public static HttpClient SignedIn(Uri bastion, string userId) => Client(bastion, SessionCookie(userId));

    public static string SessionCookie(string userId) => $"cf_session={TestTokens.Session(userId)}";

    public static async Task<long> JobCountAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts")).GetProperty("total").GetInt64();
}
