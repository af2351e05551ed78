using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// A job site on a <see cref="LoopbackHttpServer"/> for scrape tests: pages with JSON-LD, with only OpenGraph, broken
/// ones, redirects, a page that never answers, and extra routes a test adds (job-board APIs). Its connection count and
/// request log let a test prove a refused fetch never reached it.
/// </summary>
internal sealed class JobSiteServer : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;

    private JobSiteServer(LoopbackHttpServer server) => _server = server;

    public int AcceptedConnections => _server.AcceptedConnections;

    public Uri Address => _server.Address;

    public int Port => _server.Port;

    public string Url(string path) => _server.Url(path);

    public int RequestsTo(string path) => _server.RequestsTo(path);

    public static async Task<JobSiteServer> StartAsync(Action<WebApplication>? routes = null) =>
        new(await LoopbackHttpServer.StartAsync(app =>
        {
            MapPages(app);
            routes?.Invoke(app);
        }));

    public const string PostingTitle = "Senior Platform Engineer";
    public const string PostingCompany = "Acme Rockets";

    private static void MapPages(WebApplication app)
    {
        app.MapGet("/jobs/{id}", (string id) => Html(JsonLdPage(id)));
        app.MapGet("/og/{id}", (string id) => Html($"""
            <html><head><title>Ignored title {id}</title>
            <meta property="og:title" content="Data Analyst {id} (Remote)">
            <meta property="og:site_name" content="Globex">
            <meta property="og:description" content="Analyse &amp; report on rocket telemetry.">
            </head><body><p>Apply now</p></body></html>
            """));
        app.MapGet("/title-only", () => Html("<html><head><title>Backend Developer | Initech</title></head><body></body></html>"));
        app.MapGet("/broken", () => Html("""<html><head><script type="application/ld+json">{"@type": "JobPosting", "title": </script></head><body></body></html>"""));
        app.MapGet("/gone", () => Results.StatusCode(StatusCodes.Status410Gone));
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        app.MapGet("/loop", () => Results.Redirect("/loop"));
        app.MapGet("/never", async (HttpContext context) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
            return Results.Ok();
        });
    }

    public static string JsonLdPage(string id) => $$"""
        <!DOCTYPE html><html><head><title>Careers</title>
        <meta property="og:title" content="Not the JSON-LD title">
        <script type="application/ld+json">
        {
          "@context": "https://schema.org/",
          "@type": "JobPosting",
          "title": "{{PostingTitle}} {{id}}",
          "description": "&lt;p&gt;Build the &lt;b&gt;launch&lt;/b&gt; platform.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Kubernetes&lt;/li&gt;&lt;li&gt;Go&lt;/li&gt;&lt;/ul&gt;",
          "hiringOrganization": { "@type": "Organization", "name": "{{PostingCompany}}" },
          "jobLocation": { "@type": "Place", "address": { "@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE" } },
          "jobLocationType": "TELECOMMUTE",
          "baseSalary": { "@type": "MonetaryAmount", "currency": "USD",
            "value": { "@type": "QuantitativeValue", "minValue": 120000, "maxValue": 150000, "unitText": "YEAR" } }
        }
        </script></head><body><h1>Careers</h1></body></html>
        """;

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
