using System.Globalization;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The container health check as a command of the service itself (<c>dotnet Peregrine.Api.dll health-probe</c>): one
/// GET of <c>/health</c> on the port the service listens on, exit 0 on a 2xx answer, 1 otherwise. So the image needs
/// no HTTP client of its own (no curl, no wget, no package install in the runtime stage).
/// </summary>
public static class HealthProbe
{
    public const string Verb = "health-probe";

    private const int DefaultPort = 8080;

    public static bool IsRequested(string[] args) => args is [Verb];

    public static async Task<int> RunAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
        try
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{ListeningPort(Environment.GetEnvironmentVariable)}{Extensions.HealthPath}"));
            Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"no answer: {e.GetType().Name}");
            return 1;
        }
    }

    /// <summary>
    /// The first HTTP port in Kestrel's own order of precedence: <c>ASPNETCORE_URLS</c> (which replaces the ports
    /// lists), then <c>HTTP_PORTS</c> (what compose and Aspire set), then <c>ASPNETCORE_HTTP_PORTS</c> (the image's
    /// default, 8080).
    /// </summary>
    public static int ListeningPort(Func<string, string?> environment)
    {
        if (environment("ASPNETCORE_URLS") is { Length: > 0 } urls)
        {
            foreach (var url in urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                // Kestrel accepts wildcard hosts (http://+:80, http://*:80) that Uri cannot parse: take the port after the last colon.
                if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(url[(url.LastIndexOf(':') + 1)..].TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                {
                    return port;
                }
            }
        }

        foreach (var name in new[] { "HTTP_PORTS", "ASPNETCORE_HTTP_PORTS" })
        {
            var first = environment(name)?.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                return port;
            }
        }

        return DefaultPort;
    }
}
