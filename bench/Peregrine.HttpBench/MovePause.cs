using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Peregrine.Api.Shards.Moves;
using Peregrine.Configuration;

namespace Peregrine.HttpBench;

/// <summary>
/// The pause a user sees while moved between two shards: one user of 500 realistic jobs, moved back and forth while a
/// client keeps adding jobs to them through both shards. Each move is posted to the user's home at
/// <c>/internal/shards/moves</c>, as <c>move-user</c> does; its report's <c>pause_ms</c> is the time the user's
/// requests were held. At the end, every acknowledged write must be in the user's DB.
/// </summary>
internal static class MovePause
{
    private const int Moves = 5;

    // The list that checks the writes reads at most 1,000 jobs (the API's limit): 500 seeded ones and these.
    private const int MaxWrites = 480;
    private static readonly TimeSpan BetweenWrites = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan BetweenMoves = TimeSpan.FromSeconds(1);

    public static async Task<string> MeasureAsync(ShardProcesses shards, string userId, string serverSecret)
    {
        var writer = new Writer(shards.Servers, userId);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var writing = Task.Run(() => writer.RunAsync(stop.Token));
        await Task.Delay(BetweenMoves);

        var rows = new List<(string From, string To, long PauseMs, double MoveMs, long Bytes, string Load)>();
        for (var i = 0; i < Moves; i++)
        {
            var from = (await shards.HomesAsync())[userId];
            var to = shards.Ids.First(id => id != from);
            var clock = Stopwatch.StartNew();
            var report = await MoveAsync(shards[from], userId, to, serverSecret);
            clock.Stop();
            if (report.GetProperty("outcome").GetString() != "moved")
            {
                throw new InvalidOperationException($"move {i + 1} of {userId} from {from} to {to}: {report}");
            }

            rows.Add((from, to, report.GetProperty("pause_ms").GetInt64(), clock.Elapsed.TotalMilliseconds, report.GetProperty("bytes").GetInt64(), Machine.LoadAverage()));
            Console.WriteLine($"  move {i + 1}: {from} → {to}, pause {rows[^1].PauseMs} ms, whole move {rows[^1].MoveMs:F0} ms");
            await Task.Delay(BetweenMoves);
        }

        await stop.CancelAsync();
        await writing.WaitAsync(TimeSpan.FromSeconds(30));
        var stored = await StoredTitlesAsync(shards.Servers[0], userId);
        var lost = writer.Acknowledged.Count(title => !stored.Contains(title));

        var pauses = rows.Select(r => (double)r.PauseMs).ToList();
        var moves = rows.Select(r => r.MoveMs).ToList();
        var text = new StringBuilder()
            .AppendLine("| Move | Pause (requests held) | Whole move (as the caller saw it) | Bytes sent | Load average |")
            .AppendLine("|---|---|---|---|---|");
        foreach (var (row, n) in rows.Select((r, n) => (r, n + 1)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {n}: {row.From} → {row.To} | {row.PauseMs:N0} ms | {row.MoveMs:N0} ms | {row.Bytes / 1024.0:N0} KiB | {row.Load} |");
        }

        return text
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Pause: median **{Percentiles.Of(pauses, 0.5):N0} ms**, max **{pauses.Max():N0} ms**; whole move: median {Percentiles.Of(moves, 0.5):N0} ms, max {moves.Max():N0} ms.")
            .AppendLine(CultureInfo.InvariantCulture,
                $"Writes meanwhile (one client, through both shards in turn): **{writer.Acknowledged.Count:N0} acknowledged, {lost} lost**; " +
                $"answered \"try again\" (503/421, nothing written): {writer.Refused}; other failures: {writer.Failures.Count}.")
            .AppendLine(writer.Failures.IsEmpty ? string.Empty : $"First failure: {writer.Failures.First()}")
            .ToString();
    }

    private static async Task<JsonElement> MoveAsync(Server home, string userId, string to, string serverSecret)
    {
        using var http = new HttpClient { BaseAddress = new Uri(home.Url(string.Empty)), Timeout = TimeSpan.FromMinutes(2) };
        ShardInternalCalls.Authorize(http.DefaultRequestHeaders, ShardInternalCalls.Token(new PeregrineOptions { ServerSecret = serverSecret }));
        using var response = await http.PostAsJsonAsync("/internal/shards/moves", new { user_id = userId, to });
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"move of {userId} to {to}: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<HashSet<string>> StoredTitlesAsync(Server entry, string userId)
    {
        using var client = new HttpClient { BaseAddress = new Uri(entry.Url(string.Empty)), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("Cookie", $"cf_session={BenchTokens.Session(userId)}");
        var jobs = await client.GetFromJsonAsync<List<JsonElement>>("/peregrine/api/jobs?status=pending&limit=1000");
        return jobs!.Select(job => job.GetProperty("title").GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Adds jobs to the user one after another, through each shard in turn, and keeps what was acknowledged (201).</summary>
    private sealed class Writer(IReadOnlyList<Server> entries, string userId)
    {
        public ConcurrentBag<string> Acknowledged { get; } = [];

        /// <summary>503 after waiting on a move, or 421 from a former home that could not resend the body: not written, not lost.</summary>
        public int Refused { get; private set; }

        public ConcurrentQueue<string> Failures { get; } = new();

        public async Task RunAsync(CancellationToken stop)
        {
            var clients = entries.Select(entry =>
            {
                var client = new HttpClient { BaseAddress = new Uri(entry.Url(string.Empty)), Timeout = TimeSpan.FromSeconds(60) };
                client.DefaultRequestHeaders.Add("Cookie", $"cf_session={BenchTokens.Session(userId)}");
                return client;
            }).ToArray();
            for (var n = 0; n < MaxWrites && !stop.IsCancellationRequested; n++)
            {
                var title = $"bench write {n}";
                try
                {
                    using var response = await clients[n % clients.Length].PostAsJsonAsync("/peregrine/api/jobs", new { title, url = $"https://jobs.invalid/bench/{n}" }, stop);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        Acknowledged.Add(title);
                    }
                    else if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.MisdirectedRequest)
                    {
                        Refused++;
                    }
                    else
                    {
                        Failures.Enqueue($"{title}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(stop)}");
                    }

                    await Task.Delay(BetweenWrites, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Failures.Enqueue($"{title}: {e.Message}");
                }
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
