using System.Net.Http.Headers;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>
/// Posts a form the way a browser does: renders a page of the UI with the visitor's own cookie jar (which keeps the
/// antiforgery cookie the page sets), takes the form's hidden fields (the antiforgery token; a page form's
/// <c>_handler</c>) and posts them with the given fields. The token is bound to the visitor the page rendered for, just
/// as a real page's is.
/// </summary>
internal static class DemoForms
{
    private const string TokenField = "__RequestVerificationToken";

    /// <summary>Posts the demo banner's form for <paramref name="path"/> (rendered on the Home page).</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient visitor, string path, params (string Name, string Value)[] fields) =>
        SubmitAsync(visitor, $"{App}/", (form, baseUrl) => new Uri(baseUrl, form.GetAttribute("action") ?? "").AbsolutePath == path, fields);

    /// <summary>Posts the page's Blazor form named <paramref name="formName"/> (<c>@formname</c>) back to the page.</summary>
    public static Task<HttpResponseMessage> SubmitPageFormAsync(HttpClient visitor, string page, string formName, params (string Name, string Value)[] fields) =>
        SubmitAsync(visitor, page, (form, _) => form.QuerySelector<IHtmlInputElement>("input[type=hidden][name=_handler]")?.Value == formName, fields);

    /// <summary>
    /// Uploads <paramref name="content"/> through the page's form that has a file input, as a browser does: to the form's
    /// action, with its hidden fields and ticked boxes, as multipart.
    /// </summary>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient visitor, string page, byte[] content, string fileName)
    {
        var pageUrl = new Uri(visitor.BaseAddress!, page);
        var (form, baseUrl) = await FindFormAsync(visitor, pageUrl, (form, _) => form.QuerySelector("input[type=file]") is not null);
        using var body = new MultipartFormDataContent();
        var sent = form.QuerySelectorAll<IHtmlInputElement>("input[type=hidden], input[type=checkbox][checked]");
        foreach (var input in sent)
        {
            body.Add(new StringContent(input.Value), input.Name!);
        }

        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        body.Add(file, form.QuerySelector<IHtmlInputElement>("input[type=file]")!.Name!, fileName);
        var action = form.GetAttribute("action") is { Length: > 0 } target ? new Uri(baseUrl, target) : pageUrl;
        return await visitor.PostAsync(action, body);
    }

    private static async Task<(IHtmlFormElement Form, Uri BaseUrl)> FindFormAsync(HttpClient visitor, Uri pageUrl, Func<IHtmlFormElement, Uri, bool> isTheForm)
    {
        using var rendered = await visitor.GetAsync(pageUrl);
        rendered.EnsureSuccessStatusCode();
        var document = await new HtmlParser().ParseDocumentAsync(await rendered.Content.ReadAsStringAsync());
        var baseUrl = document.QuerySelector("base[href]")?.GetAttribute("href") is { } href ? new Uri(pageUrl, href) : pageUrl;
        var form = document.QuerySelectorAll("form[method=post]").OfType<IHtmlFormElement>().SingleOrDefault(f => isTheForm(f, baseUrl))
            ?? throw new InvalidOperationException($"{pageUrl} renders no such form");
        return (form, baseUrl);
    }

    private static async Task<HttpResponseMessage> SubmitAsync(
        HttpClient visitor, string page, Func<IHtmlFormElement, Uri, bool> isTheForm, (string Name, string Value)[] fields)
    {
        var pageUrl = new Uri(visitor.BaseAddress!, page);
        var (form, baseUrl) = await FindFormAsync(visitor, pageUrl, isTheForm);
        var hidden = form.QuerySelectorAll<IHtmlInputElement>("input[type=hidden]").Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
        if (!hidden.Any(h => h.Key == TokenField))
        {
            throw new InvalidOperationException($"The form on {pageUrl} has no antiforgery token");
        }

        var action = form.GetAttribute("action") is { Length: > 0 } target ? new Uri(baseUrl, target) : pageUrl;
        using var content = new FormUrlEncodedContent([.. hidden, .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);
        return await visitor.PostAsync(action, content);
    }
}
