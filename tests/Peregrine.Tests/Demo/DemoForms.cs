using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>
/// Posts a form the way a browser does: renders a page of the UI with the visitor's own cookie jar (which keeps the
/// antiforgery cookie the page sets), takes the hidden token from the demo banner's form for that action, and posts
/// the form with it. The token is bound to the visitor the page rendered for, just as a real page's is.
/// </summary>
internal static class DemoForms
{
    private const string TokenField = "__RequestVerificationToken";

    public static async Task<HttpResponseMessage> PostAsync(HttpClient visitor, string path, params (string Name, string Value)[] fields)
    {
        var pageUrl = new Uri(visitor.BaseAddress!, $"{App}/");
        using var page = await visitor.GetAsync(pageUrl);
        page.EnsureSuccessStatusCode();
        var document = await new HtmlParser().ParseDocumentAsync(await page.Content.ReadAsStringAsync());
        var baseUrl = document.QuerySelector("base[href]")?.GetAttribute("href") is { } href ? new Uri(pageUrl, href) : pageUrl;
        var form = document.QuerySelectorAll("form[method=post]").OfType<IHtmlFormElement>()
            .SingleOrDefault(f => new Uri(baseUrl, f.GetAttribute("action") ?? "").AbsolutePath == path)
            ?? throw new InvalidOperationException($"{pageUrl} renders no form posting to {path}");
        var token = form.QuerySelector<IHtmlInputElement>($"input[type=hidden][name={TokenField}]")?.Value
            ?? throw new InvalidOperationException($"The form posting to {path} has no antiforgery token");

        using var content = new FormUrlEncodedContent([.. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)), new(TokenField, token)]);
        return await visitor.PostAsync(path, content);
    }
}
