using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Peregrine.Tests.Tasks;

/// <summary>
/// A job site on 127.0.0.1 (Kestrel, port 0) for scrape tests: pages with JSON-LD, with only OpenGraph, broken ones,
/// redirects, a page that never answers, and extra routes a test adds (job-board APIs). It counts the TCP connections it
/// accepts, so a test can prove a refused fetch never reached it.
/// </summary>
internal sealed class JobSiteServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private JobSiteServer(WebApplication app) => _app = app;

    public int AcceptedConnections => Volatile.Read(ref _connections);

    public Uri Address { get; private set; } = null!;

    public int Port => Address.Port;

    public string Url(string path) => new Uri(Address, path).AbsoluteUri;

    public static async Task<JobSiteServer> StartAsync(Action<WebApplication>? routes = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        JobSiteServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
        {
            Interlocked.Increment(ref server!._connections);
            return next(connection);
        })));
        var app = builder.Build();
        server = new JobSiteServer(app);
        MapPages(app);
        routes?.Invoke(app);
        await app.StartAsync();
        server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
