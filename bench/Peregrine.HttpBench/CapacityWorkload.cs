using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Peregrine.HttpBench;

/// <summary>
/// One simulated job seeker: their own keep-alive connection, rounds of counts, a page of 20 pending jobs and a
/// decision on one, the Review and job pages every 5th round, a 2 KB letter save every 10th, then an exponential think
/// time (mean 3 s: about 1.15 requests a second; zero makes a closed loop, as fast as the server answers). Every request
/// has a deadline, and the loop ends at the step's end.
/// </summary>
internal sealed class CapacityUser(string baseUrl, string userId, Random random, TimeSpan? meanThinkTime = null)
{
    private static readonly string Letter = new StringBuilder().Insert(0, "I am writing to apply for this role. ", 56).ToString();

    public static readonly TimeSpan DefaultMeanThinkTime = TimeSpan.FromSeconds(3);

    private readonly TimeSpan _meanThinkTime = meanThinkTime ?? DefaultMeanThinkTime;

    public async Task RunAsync(Recorder recorder, DateTime end, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("Cookie", $"cf_session={BenchTokens.Session(userId)}");

        // Staggered start: users arrive spread over one think time, not all at once.
        await DelayUntilAsync(DateTime.UtcNow + Think(), end, cancellationToken);
        for (var round = 1; DateTime.UtcNow < end && !cancellationToken.IsCancellationRequested; round++)
        {
            await SendAsync(client, recorder, HttpMethod.Get, "/peregrine/api/jobs/counts", null, cancellationToken);
            var page = await SendAsync(client, recorder, HttpMethod.Get, "/peregrine/api/jobs?status=pending&limit=20", null, cancellationToken);
            var jobId = FirstId(page);
            if (jobId is { } id)
            {
                var decision = random.Next(2) == 0 ? "approve" : "reject";
                if (round % 5 == 0)
                {
                    await SendAsync(client, recorder, HttpMethod.Get, "/peregrine/review", null, cancellationToken);
                    await SendAsync(client, recorder, HttpMethod.Get, $"/peregrine/jobs/{id}", null, cancellationToken);
                }

                if (round % 10 == 0)
                {
                    await SendAsync(client, recorder, HttpMethod.Patch, $"/peregrine/api/jobs/{id}/cover_letter", JsonContent.Create(new { text = Letter }), cancellationToken);
                }

                await SendAsync(client, recorder, HttpMethod.Post, $"/peregrine/api/jobs/{id}/{decision}", null, cancellationToken);
            }

            await DelayUntilAsync(DateTime.UtcNow + Think(), end, cancellationToken);
        }
    }

    private TimeSpan Think() => TimeSpan.FromSeconds(-Math.Log(1 - random.NextDouble()) * _meanThinkTime.TotalSeconds);

    private static async Task DelayUntilAsync(DateTime when, DateTime end, CancellationToken cancellationToken)
    {
        var wait = (when < end ? when : end) - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    private static async Task<byte[]?> SendAsync(HttpClient client, Recorder recorder, HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            recorder.Record(Stopwatch.GetElapsedTime(started), (int)response.StatusCode);
            return response.IsSuccessStatusCode ? body : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            recorder.Record(Stopwatch.GetElapsedTime(started), 0);
            return null;
        }
    }

    private static long? FirstId(byte[]? page)
    {
        if (page is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(page);
        return document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0
            ? document.RootElement[0].GetProperty("id").GetInt64()
            : null;
    }
}

/// <summary>Latencies and outcomes of the requests that finished inside the measured window.</summary>
internal sealed class Recorder
{
    private readonly Lock _gate = new();
    private readonly List<double> _milliseconds = new(200_000);
    private volatile bool _measuring;

    public int Errors { get; private set; }

    public int Shed { get; private set; }

    public int Requests { get; private set; }

    public void Start() => _measuring = true;

    public void Stop() => _measuring = false;

    public void Record(TimeSpan latency, int status)
    {
        if (!_measuring)
        {
            return;
        }

        lock (_gate)
        {
            Requests++;
            if (status == 503)
            {
                Shed++;
            }
            else if (status is < 200 or >= 400)
            {
                Errors++;
            }
            else
            {
                _milliseconds.Add(latency.TotalMilliseconds);
            }
        }
    }

    /// <summary>Percentile of the served requests' latency, in ms (0 when none).</summary>
    public double Percentile(double p)
    {
        lock (_gate)
        {
            return Percentiles.Of(_milliseconds, p);
        }
    }
}
