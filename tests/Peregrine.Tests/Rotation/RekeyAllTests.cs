using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Rotation.RotationData;

namespace Peregrine.Tests.Rotation;

/// <summary>
/// The runbook's rotation end to end, with real processes: 200 users at S1; the service restarted with S2 (S1 previous)
/// keeps answering every user while <c>rekey-all</c> runs three times, each killed at a random DB (a run
/// that finishes first is fine, as long as one was killed), then once more to the end; then S1 is removed.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class RekeyAllTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private const int Users = 200;
    private const int JobsPerUser = 20;
    private readonly TestDirectory _root = new("peregrine-rekey-all");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task TheServiceAnswersEveryUserWhileAKilledAndRerunRekeyAllBringsEveryDbToTheNewSecret()
    {
        var users = CreateUsers(_root.Path, S1, Users, JobsPerUser);
        var rotating = OperatorProcess.Environment(_root.Path, S2, previous: S1, platformUrl: postgres.Url);

        List<string> failures;
        int requests;
        await using (var service = await ApiServer.StartAsync(_root.Path, ("CF_SERVER_SECRET", S2), ("CF_SERVER_SECRET_PREVIOUS", S1), ("PLATFORM_DB_URL", postgres.Url)))
        {
            using var load = new ConcurrentLoad(service, users);
            var random = new Random();
            var kills = 0;
            for (var run = 0; run < 3; run++)
            {
                var after = random.Next(1, Users);
                if (await OperatorProcess.KillWhenAsync(rotating, ["rekey-all"], lines => lines >= after))
                {
                    kills++;
                }
            }

            // A later run may finish before its kill: the service and the runs before it leave few DBs to rekey, and
            // one already current takes about a millisecond, less than the test can lag reading the run's output.
            // The first run has every DB the service has not touched yet to rekey, so its kill lands.
            Assert.True(kills > 0, "no rekey-all run was killed before it finished");

            var final = await OperatorProcess.RunAsync(rotating, "rekey-all");
            Assert.True(final.ExitCode == 0, final.ToString());
            Assert.Contains("0 failed; 0 remaining", final.StandardOutput, StringComparison.Ordinal);
            (failures, requests) = await load.StopAsync();
        }

        Assert.Empty(failures);
        Assert.True(requests >= Users, $"only {requests} requests were made during the rotation");
        foreach (var user in users)
        {
            var path = DatabasePath(_root.Path, user);
            Assert.Equal(JobsPerUser, JobsWithStockSqlCipher(path, S2, user));
            Assert.Equal(new KeyRecord(ServerKeyRing.IdOf(S2)), KeyRecord.Read(path));
        }

        // S1 removed: every user still works.
        await using var afterRotation = await ApiServer.StartAsync(_root.Path, ("CF_SERVER_SECRET", S2), ("PLATFORM_DB_URL", postgres.Url));
        foreach (var user in users)
        {
            using var client = afterRotation.CreateClient(user);
            Assert.Equal(JobsPerUser, await ConcurrentLoad.PendingJobsAsync(client));
        }
    }

    [Fact]
    public async Task ADbAtAnUnknownKeyIdIsReportedAsRemainingAndLeftUntouched()
    {
        var known = CreateUsers(_root.Path, S1, 3, jobs: 2);
        var stranger = CreateUsers(_root.Path, S3, 1, jobs: 2).Single();

        var outcome = await OperatorProcess.RunAsync(OperatorProcess.Environment(_root.Path, S2, previous: S1), "rekey-all");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains($"failed: {stranger}/peregrine: the DB of {stranger} is recorded at key id {ServerKeyRing.IdOf(S3)}", outcome.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("3 rekeyed, 0 already current, 1 failed; 1 remaining", outcome.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(2, JobsWithStockSqlCipher(DatabasePath(_root.Path, stranger), S3, stranger));
        Assert.All(known, user => Assert.Equal(2, JobsWithStockSqlCipher(DatabasePath(_root.Path, user), S2, user)));
        foreach (var secret in new[] { S1, S2, S3 })
        {
            Assert.DoesNotContain(secret, outcome.StandardOutput + outcome.StandardError, StringComparison.Ordinal);
        }

        var again = await OperatorProcess.RunAsync(OperatorProcess.Environment(_root.Path, S2, previous: S1), "rekey-all");
        Assert.Contains("0 rekeyed, 3 already current, 1 failed; 1 remaining", again.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>Requests from two concurrent clients to random users, each checked for status and content, until stopped.</summary>
    private sealed class ConcurrentLoad : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _failures = new();
        private readonly Dictionary<string, HttpClient> _clients;
        private readonly Task[] _workers;
        private int _requests;

        public ConcurrentLoad(ApiServer service, IReadOnlyList<string> users)
        {
            _clients = users.ToDictionary(user => user, service.CreateClient);
            _workers = [.. Enumerable.Range(0, 2).Select(seed => Task.Run(() => RunAsync(users, new Random(seed))))];
        }

        public static async Task<long> PendingJobsAsync(HttpClient client)
        {
            using var response = await client.GetAsync("/peregrine/api/jobs/counts");
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pending").GetInt64();
        }

        public async Task<(List<string> Failures, int Requests)> StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromMinutes(1));
            return ([.. _failures], _requests);
        }

        public void Dispose()
        {
            _stop.Cancel();
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }
        }

        private async Task RunAsync(IReadOnlyList<string> users, Random random)
        {
            while (!_stop.IsCancellationRequested)
            {
                var user = users[random.Next(users.Count)];
                try
                {
                    var pending = await PendingJobsAsync(_clients[user]);
                    if (pending != JobsPerUser)
                    {
                        _failures.Enqueue($"{user}: {pending} jobs");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                {
                    _failures.Enqueue($"{user}: {e.GetType().Name} {e.Message}");
                }

                Interlocked.Increment(ref _requests);
            }
        }
    }
}
