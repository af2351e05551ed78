namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// The one way a test client is signed in: a real minted Directus session in <c>Cookie: cf_session=…</c>, whichever
/// way the app is hosted (in-process factory, server process, task host). The first request provisions the user.
/// </summary>
public static class SignedIn
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Signs <paramref name="client"/> in as <paramref name="userId"/> with a fresh session token.</summary>
    public static HttpClient As(this HttpClient client, string userId) => client.WithSession(TestTokens.Session(userId));

    /// <summary>Signs <paramref name="client"/> in with a token the test made (issued before an erasure, expired, …).</summary>
    public static HttpClient WithSession(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Add("Cookie", $"cf_session={token}");
        return client;
    }

    /// <summary>A client of a server process at <paramref name="address"/>, carrying <paramref name="token"/>.</summary>
    public static HttpClient To(Uri address, string token) =>
        new HttpClient { BaseAddress = address, Timeout = RequestTimeout }.WithSession(token);
}
