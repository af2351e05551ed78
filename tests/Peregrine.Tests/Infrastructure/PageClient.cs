using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// A signed-in browser without a browser: a client of the in-process Api that keeps cookies like one (the session,
/// and the antiforgery cookie a page sets), and reads pages with a real HTML parser.
/// </summary>
public static class PageClient
{
    public static HttpClient For(PeregrineApiFactory api, string userId)
    {
        var jar = new CookieContainer();
        jar.Add(api.Server.BaseAddress, new Cookie("cf_session", TestTokens.Session(userId)));
        return api.CreateDefaultClient(new CookieContainerHandler(jar));
    }

    public static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    public static async Task<IHtmlDocument> GetPageAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await ParseAsync(response);
    }
}
