using System.Diagnostics;
using System.Globalization;

namespace Peregrine.HttpBench;

/// <summary>
/// What a request costs when its user's DB has left the pool, against the same request with the DB pooled, at the HTTP
/// level: one connection, one request at a time, so each latency is the service time and nothing queues. The pool is
/// held at <see cref="PoolSize"/> DBs and the users are visited in turn, so every visit after the first pass finds its
/// DB evicted (a re-open: new handle, key, cold pages), while the first pass, a process's first touch of each file, is
/// the preparation a new process pays once per user and is reported apart. Measured direct and through the bastion
/// (the path users take), against the same Api process.
/// </summary>
internal static class ColdWarm
{
    private const int PoolSize = 16;
    private const int WarmRequests = 300;
    private const int ColdPasses = 3;
    private const string Request = "/peregrine/api/jobs?status=pending&limit=20";

    public static async Task<string> MeasureAsync(IReadOnlyList<string> users, IReadOnlyDictionary<string, string> cloudEnvironment, string bastionConfig, string bastionLog)
    {
        var environment = new Dictionary<string, string>(cloudEnvironment) { ["Storage__MaxPooledDatabases"] = PoolSize.ToString(CultureInfo.InvariantCulture) };
        await using var api = await Server.ApiAsync("cold-warm", environment);
        await using var bastion = await Server.BastionAsync(bastionConfig, api.Port, bastionLog);
        using var direct = Client(api);
        using var throughBastion = Client(bastion);
        var visited = users.Skip(4).ToList();

        // The JIT first, on both paths: a warm request measured before the code is compiled would flatter the cold one.
        for (var i = 0; i < 2_000; i++)
        {
            await TimeAsync(i % 2 == 0 ? direct : throughBastion, users[i % 4]);
        }

        var first = new List<double>();
        foreach (var user in visited)
        {
            first.Add(await TimeAsync(direct, user));
        }

        // And the cold path's own code (re-open, key, evict), on both paths, until the JIT has recompiled it: a cold
        // request measured before that would be charged for the JIT, once per process.
        foreach (var client in new[] { direct, throughBastion, direct })
        {
            foreach (var user in visited)
            {
                await TimeAsync(client, user);
            }
        }

        await Cpu.UntilJitIdleAsync([api.Pid]);

        var text = new System.Text.StringBuilder()
            .AppendLine("### A cold request against a warm one (one request at a time)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"`GET {Request}`, pool held at {PoolSize} DBs, {visited.Count} users visited in turn {ColdPasses} times; medians:")
            .AppendLine()
            .AppendLine("| Path | Warm (DB pooled) | Cold (DB evicted since the user's last request) | Cold ÷ warm (target ≤ about 2) | Warm, one user back to back |")
            .AppendLine("|---|---|---|---|---|");
        double? warmDirect = null;
        foreach (var (path, client) in new[] { ("direct", direct), ("through the bastion", throughBastion) })
        {
            // Cold and warm requests alternate, so both are measured in the same moments of a shared machine, and a
            // warm request follows another user's request as it does in service (not the same rows again and again,
            // which leaves them in the CPU's caches: that figure is the last column).
            var (cold, warm) = (new List<double>(), new List<double>());
            for (var pass = 0; pass < ColdPasses; pass++)
            {
                foreach (var user in visited)
                {
                    cold.Add(await TimeAsync(client, user));
                    warm.Add(await TimeAsync(client, users[0]));
                }
            }

            var backToBack = new List<double>();
            for (var i = 0; i < WarmRequests; i++)
            {
                backToBack.Add(await TimeAsync(client, users[0]));
            }

            var (coldMedian, warmMedian, backToBackMedian) = (Percentiles.Of(cold, 0.5), Percentiles.Of(warm, 0.5), Percentiles.Of(backToBack, 0.5));
            warmDirect ??= warmMedian;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {path} | {warmMedian:F2} ms | {coldMedian:F2} ms | **{coldMedian / warmMedian:F2}** | {backToBackMedian:F2} ms ({coldMedian / backToBackMedian:F2}×) |");
        }

        var firstMedian = Percentiles.Of(first, 0.5);
        return text.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"A process's first request for a user (its preparation), direct: {firstMedian:F2} ms ({firstMedian / warmDirect:F2}× a warm one).")
            .ToString();
    }

    private static HttpClient Client(Server server) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseCookies = false }) { BaseAddress = new Uri(server.Url(string.Empty)), Timeout = TimeSpan.FromSeconds(10) };

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
