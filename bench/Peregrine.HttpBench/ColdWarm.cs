using System.Diagnostics;
using System.Globalization;

namespace Peregrine.HttpBench;

/// <summary>
/// What a request costs when its user's DB has left the pool, against the same request with the DB pooled, at the HTTP
/// level: one connection, one request at a time, so each latency is the Api's service time and nothing queues. The pool
/// is held at <see cref="PoolSize"/> DBs and the users are visited in turn, so every visit of the second pass finds its
/// DB evicted (a re-open: new handle, key, cold pages), while the first pass, a process's first touch of each file, is
/// the preparation a new process pays once per user and is reported apart.
/// </summary>
internal static class ColdWarm
{
    private const int PoolSize = 16;
    private const int WarmRequests = 300;
    private const string Request = "/peregrine/api/jobs?status=pending&limit=20";

    public static async Task<string> MeasureAsync(IReadOnlyList<string> users, IReadOnlyDictionary<string, string> cloudEnvironment)
    {
        var environment = new Dictionary<string, string>(cloudEnvironment) { ["Storage__MaxPooledDatabases"] = PoolSize.ToString(CultureInfo.InvariantCulture) };
        await using var api = await Server.ApiAsync("cold-warm", environment);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseCookies = false }) { BaseAddress = new Uri(api.Url(string.Empty)), Timeout = TimeSpan.FromSeconds(10) };

        // The JIT first: a warm request measured before the code is compiled would flatter the cold one.
        for (var i = 0; i < 2_000; i++)
        {
            await TimeAsync(client, users[i % 4]);
        }

        var first = new List<double>();
        foreach (var user in users.Skip(4))
        {
            first.Add(await TimeAsync(client, user));
        }

        var cold = new List<double>();
        foreach (var user in users.Skip(4))
        {
            cold.Add(await TimeAsync(client, user));
        }

        var warm = new List<double>();
        for (var i = 0; i < WarmRequests; i++)
        {
            warm.Add(await TimeAsync(client, users[0]));
        }

        var (coldMedian, warmMedian, firstMedian) = (Percentiles.Of(cold, 0.5), Percentiles.Of(warm, 0.5), Percentiles.Of(first, 0.5));
        return new System.Text.StringBuilder()
            .AppendLine("### A cold request against a warm one (direct, one request at a time)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"`GET {Request}`, pool held at {PoolSize} DBs, {cold.Count} users visited in turn; medians:")
            .AppendLine()
            .AppendLine("| Request | Median | ÷ warm |")
            .AppendLine("|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| warm (DB pooled) | {warmMedian:F2} ms | 1.00 |")
            .AppendLine(CultureInfo.InvariantCulture, $"| cold (DB evicted since the user's last request) | {coldMedian:F2} ms | **{coldMedian / warmMedian:F2}** (target ≤ about 2) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| a process's first request for the user (preparation) | {firstMedian:F2} ms | {firstMedian / warmMedian:F2} |")
            .ToString();
    }

    private static async Task<double> TimeAsync(HttpClient client, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Request);
        request.Headers.Add("Cookie", $"cf_session={BenchTokens.Session(user)}");
        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        response.EnsureSuccessStatusCode();
        return elapsed;
    }
}
