using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Tests.Infrastructure;
using Peregrine.Web;

namespace Peregrine.Tests.Web;

/// <summary>
/// Error pages look like the app and lead back into it: behind the bastion only the app's path base reaches the app,
/// so a link, stylesheet or icon at "/" is the bastion's 503. The exception handler and the status-code pages run
/// outside the path-base middleware, where the request's own path base is already empty.
/// </summary>
public sealed class ErrorPageTests
{
    [Theory]
    [Trait(Category.Name, Category.Unit)]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task EveryErrorPageLinksHomeStyleAndIconUnderThePathBase(int status)
    {
        var writer = new FriendlyErrorPageWriter(Options.Create(new PeregrineOptions { AppSlug = "falcon" }));
        var context = new DefaultHttpContext();
        context.Request.Headers.Accept = "text/html";
        context.Response.StatusCode = status;
        context.Response.Body = new MemoryStream();

        await writer.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = status } });

        context.Response.Body.Position = 0;
        var page = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Contains("""<link rel="stylesheet" href="/falcon/_content/Peregrine.Web/site.css">""", page, StringComparison.Ordinal);
        Assert.Contains("""<link rel="icon" href="/falcon/_content/Peregrine.Web/favicon.ico">""", page, StringComparison.Ordinal);
        Assert.Contains("""<a class="button" href="/falcon/">""", page, StringComparison.Ordinal);
        Assert.DoesNotContain("""href="/_content""", page, StringComparison.Ordinal);
        Assert.DoesNotContain("""href="/">""", page, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Category.Name, Category.Service)]
    public async Task AnUnknownPageIsTheStyledNotFoundPageLinkingToTheAppsHome()
    {
        await using var factory = new PeregrineApiFactory();
        using var client = factory.CreateClient(Guid.NewGuid().ToString());
        client.DefaultRequestHeaders.Add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");

        using var response = await client.GetAsync("/peregrine/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Page not found</h1>", page, StringComparison.Ordinal);
        Assert.Contains("""href="/peregrine/_content/Peregrine.Web/site.css""", page, StringComparison.Ordinal);
        Assert.Contains("""<a class="button" href="/peregrine/">""", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/peregrine/_content/Peregrine.Web/site.css")).StatusCode);
    }

    [Fact]
    [Trait(Category.Name, Category.Service)]
    public async Task TheIconIsServedUnderTheAppPathAndEveryPageLinksIt()
    {
        await using var factory = new PeregrineApiFactory();
        using var client = factory.CreateClient(Guid.NewGuid().ToString());

        var home = await client.GetStringAsync("/peregrine/");
        Assert.Contains("""<link rel="icon" href="_content/Peregrine.Web/favicon.ico""", home, StringComparison.Ordinal);

        using var icon = await client.GetAsync("/peregrine/_content/Peregrine.Web/favicon.ico");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/x-icon", icon.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0, 0, 1, 0], (await icon.Content.ReadAsByteArrayAsync())[..4]);

        // The conventional address, for clients that do not read the page, leads to the same file under the app.
        using var conventional = await client.GetAsync("/peregrine/favicon.ico");
        Assert.Equal(HttpStatusCode.MovedPermanently, conventional.StatusCode);
        Assert.Equal("/peregrine/_content/Peregrine.Web/favicon.ico", conventional.Headers.Location?.OriginalString);
    }
}
