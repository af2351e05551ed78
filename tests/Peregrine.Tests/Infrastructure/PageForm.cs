using System.Net;
using System.Text.RegularExpressions;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// A form as a browser holds it after rendering a page: the antiforgery token in the page and the antiforgery cookie
/// the response set. Posting it later (after a restart, to another replica) is what shows whether the service can
/// still read what it protected. Works with any client that sends the session cookie itself (HandleCookies off).
/// </summary>
public sealed partial record PageForm(string Path, string Token, string AntiforgeryCookie)
{
    public static async Task<PageForm> RenderAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var page = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {page}");
        var token = TokenField().Match(page);
        Assert.True(token.Success, $"no antiforgery token in {path}");
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal))
            : null;
        Assert.True(cookie is not null, $"GET {path} set no antiforgery cookie");
        return new PageForm(path, WebUtility.HtmlDecode(token.Groups[1].Value), cookie);
    }

    /// <summary>Posts <paramref name="fields"/> with the token; <paramref name="sessionCookie"/> is the <c>cf_session=…</c> pair, if any.</summary>
    public async Task<HttpResponseMessage> PostAsync(HttpClient client, string? sessionCookie, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path)
        {
            Content = new FormUrlEncodedContent([.. fields.Select(f => KeyValuePair.Create(f.Name, f.Value)), KeyValuePair.Create("__RequestVerificationToken", Token)]),
        };
        request.Headers.Add("Cookie", sessionCookie is null ? AntiforgeryCookie : $"{sessionCookie}; {AntiforgeryCookie}");
        return await client.SendAsync(request);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
