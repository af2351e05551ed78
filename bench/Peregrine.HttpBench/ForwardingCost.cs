using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;

namespace Peregrine.HttpBench;

/// <summary>
/// What a forwarded request costs beside a local one: the same request for one user, sent to the user's home shard
/// (local) and to the other shard (which forwards it to the home with YARP). One request at a time, the two paths
/// alternating so that whatever else the machine does falls on both alike; then a short concurrent run of each, with
/// the CPU both shards spent per request (a forwarded request costs the entry shard its share too).
/// </summary>
internal static class ForwardingCost
{
    private const int WarmUp = 300;
    private const int ConcurrentClients = 8;
    private static readonly TimeSpan ConcurrentWindow = TimeSpan.FromSeconds(5);

    private sealed record Probe(string Name, int Count, HttpMethod Method, string Path, Func<HttpContent?> Body);

    public static async Task<string> MeasureAsync(Server home, Server other, string userId, long jobId)
    {
        using var local = Client(home, userId);
        using var forwarded = Client(other, userId);
        var probes = new[]
        {
            new Probe("`GET /peregrine/api/jobs?status=pending&limit=20`", 1_500, HttpMethod.Get, "/peregrine/api/jobs?status=pending&limit=20", () => null),
            new Probe("`PATCH /peregrine/api/jobs/{id}/cover_letter` (a short letter)", 500, HttpMethod.Patch, $"/peregrine/api/jobs/{jobId}/cover_letter",
                () => JsonContent.Create(new { text = "Dear hiring team, I would love to join. Sincerely, Ada." })),
        };

        var text = new StringBuilder()
            .AppendLine("| Request, one at a time | Local p50 | Forwarded p50 | **÷ p50** | Local p99 | Forwarded p99 | **÷ p99** | Requests each | Load average |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var probe in probes)
        {
            // Warm-up: the JIT, the pools and the forwarder's connection to the home, on both paths.
            await AlternateAsync(probe, local, forwarded, WarmUp);
            var (localMs, forwardedMs) = await AlternateAsync(probe, local, forwarded, probe.Count);
            var (l50, f50, l99, f99) = (Percentiles.Of(localMs, 0.50), Percentiles.Of(forwardedMs, 0.50), Percentiles.Of(localMs, 0.99), Percentiles.Of(forwardedMs, 0.99));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {probe.Name} | {l50:F2} ms | {f50:F2} ms | **{f50 / l50:F2}** | {l99:F2} ms | {f99:F2} ms | **{f99 / l99:F2}** | {probe.Count:N0} | {Machine.LoadAverage()} |");
        }

        var read = probes[0];
        int[] pids = [home.Pid, other.Pid];
        var (localRate, localP50, localP99, localCpuMs) = await ConcurrentAsync(read, home, userId, pids);
        var (forwardedRate, forwardedP50, forwardedP99, forwardedCpuMs) = await ConcurrentAsync(read, other, userId, pids);
        text.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"| The read, {ConcurrentClients} clients at once, {ConcurrentWindow.TotalSeconds:F0} s each | Local | Forwarded | **Forwarded ÷ local** | Load average |")
            .AppendLine("|---|---|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| req/s | {localRate:N0} | {forwardedRate:N0} | **{forwardedRate / localRate:F2}** | {Machine.LoadAverage()} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| p50 | {localP50:F1} ms | {forwardedP50:F1} ms | **{forwardedP50 / localP50:F2}** | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| p99 | {localP99:F1} ms | {forwardedP99:F1} ms | **{forwardedP99 / localP99:F2}** | |")
            .AppendLine(CultureInfo.InvariantCulture, $"| CPU per request, both shards | {localCpuMs:F2} ms | {forwardedCpuMs:F2} ms | **{forwardedCpuMs / localCpuMs:F2}** | |");
        return text.ToString();
    }

    private static async Task<(List<double> Local, List<double> Forwarded)> AlternateAsync(Probe probe, HttpClient local, HttpClient forwarded, int count)
    {
        var (localMs, forwardedMs) = (new List<double>(count), new List<double>(count));
        for (var i = 0; i < count; i++)
        {
            localMs.Add(await TimeAsync(local, probe));
            forwardedMs.Add(await TimeAsync(forwarded, probe));
        }

        return (localMs, forwardedMs);
    }

    private static async Task<(double RequestsPerSecond, double P50, double P99, double CpuMsPerRequest)> ConcurrentAsync(Probe probe, Server entry, string userId, int[] shardPids)
    {
        var cpuBefore = shardPids.Sum(pid => Cpu.Of(pid).TotalMilliseconds);
        var end = DateTime.UtcNow + ConcurrentWindow;
        var clock = Stopwatch.StartNew();
        var perClient = await Task.WhenAll(Enumerable.Range(0, ConcurrentClients).Select(_ => Task.Run(async () =>
        {
            using var client = Client(entry, userId);
            var times = new List<double>();
            while (DateTime.UtcNow < end)
            {
                times.Add(await TimeAsync(client, probe));
            }

            return times;
        })));
        var cpuMs = shardPids.Sum(pid => Cpu.Of(pid).TotalMilliseconds) - cpuBefore;
        var all = perClient.SelectMany(t => t).ToList();
        return (all.Count / clock.Elapsed.TotalSeconds, Percentiles.Of(all, 0.50), Percentiles.Of(all, 0.99), cpuMs / all.Count);
    }

    /// <summary>One request, body read; any answer but a success stops the bench (a ratio of errors means nothing).</summary>
    private static async Task<double> TimeAsync(HttpClient client, Probe probe)
    {
        using var request = new HttpRequestMessage(probe.Method, probe.Path) { Content = probe.Body() };
        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{probe.Method} {probe.Path} through {client.BaseAddress}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return elapsed;
    }

    private static HttpClient Client(Server entry, string userId)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 1 })
        {
            BaseAddress = new Uri(entry.Url(string.Empty)),
            Timeout = TimeSpan.FromSeconds(10),
        };
        client.DefaultRequestHeaders.Add("Cookie", $"cf_session={BenchTokens.Session(userId)}");
        return client;
    }
}
