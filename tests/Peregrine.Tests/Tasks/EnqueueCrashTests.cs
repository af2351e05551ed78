using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Tasks;

/// <summary>
/// The crash guarantee of every enqueue path: a process that dies the instant an endpoint's task row is committed must
/// not forget the work. The first host plays that process (<see cref="DiesAfterCommit"/>); a second host started over
/// the same data root must find the work at start-up, with no wake and no request, and run it.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class EnqueueCrashTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private JobSiteServer _site = null!;

    public async Task InitializeAsync()
    {
        _site = await JobSiteServer.StartAsync();
        _factory.Configure("Fetch:AllowedAddresses:0", $"127.0.0.1:{_site.Port}");
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _site.DisposeAsync();
    }

    public static TheoryData<string> EnqueuePaths => ["jobs/add", "jobs/upload-csv", "jobs/purge rescrape", "tasks/enrich", "tasks/discovery", "cover_letter/generate"];

    [Theory]
    [MemberData(nameof(EnqueuePaths))]
    public async Task WorkCommittedJustBeforeACrashIsFoundAndRunByTheNextStart(string path)
    {
        var userId = Guid.NewGuid().ToString();
        var crash = new DiesAfterCommit();
        UserContext user;
        await using (var dying = new TaskTestHost(_factory, crash.Register))
        {
            user = await dying.SignInAsync(userId);
            using var client = dying.Client(userId);
            var response = await EnqueueAsync(path, client, dying, user);
            Assert.True(response.IsSuccessStatusCode, $"{path} answered {response.StatusCode}");
        }

        Assert.True(crash.CommittedWorkSeen, "the endpoint reached its post-commit step with a queued row");
        Assert.True(crash.MarkerWasOnDiskAtCommit, "the queued-work marker must be durable before the commit is acknowledged");

        await using var restarted = new TaskTestHost(_factory, _ => { });
        await Eventually.UntilAsync(() => QueuedCount(restarted, user) == 0, TaskTestHost.Bound);
        await Eventually.UntilAsync(() => !QueuedWorkMarkers.IsSet(user), TaskTestHost.Bound);
    }

    private async Task<HttpResponseMessage> EnqueueAsync(string path, HttpClient client, TaskTestHost host, UserContext user)
    {
        switch (path)
        {
            case "jobs/add":
                return await client.PostAsJsonAsync("/peregrine/api/jobs/add", new { urls = new[] { _site.Url("/jobs/1") } });
            case "jobs/upload-csv":
                using (var form = new MultipartFormDataContent { { new StringContent($"link\n{_site.Url("/jobs/2")}\n"), "file", "jobs.csv" } })
                {
                    return await client.PostAsync("/peregrine/api/jobs/upload-csv", form);
                }

            case "jobs/purge rescrape":
                return await client.PostAsJsonAsync("/peregrine/api/jobs/purge", new { target = "rescrape" });
            case "tasks/enrich":
                return await client.PostAsync("/peregrine/api/tasks/enrich", null);
            case "tasks/discovery":
                return await client.PostAsync("/peregrine/api/tasks/discovery", null);
            default:
                long jobId;
                using (var db = host.Services.GetRequiredService<UserDatabases>().Open(user.Database))
                {
                    jobId = db.ExecuteScalar<long>("INSERT INTO jobs (title, company, url) VALUES ('Engineer', 'Acme', @url) RETURNING id;", new { url = _site.Url("/jobs/3") });
                }

                return await client.PostAsync($"/peregrine/api/jobs/{jobId}/cover_letter/generate", null);
        }
    }

    private static long QueuedCount(TaskTestHost host, UserContext user)
    {
        using var db = host.Services.GetRequiredService<UserDatabases>().Open(user.Database);
        return db.ExecuteScalar<long>("SELECT count(*) FROM background_tasks WHERE status IN ('queued', 'running');");
    }

    /// <summary>
    /// Plays a process killed the instant an enqueue commits: what an endpoint does before the commit reaches the real
    /// runner; the post-commit step (the wake, or the end of the expectation) never does, as it would not. At that
    /// instant the test notes whether the row is committed and whether the marker is already on disk.
    /// </summary>
    private sealed class DiesAfterCommit : ITaskWakeup
    {
        private TaskRunner _runner = null!;

        public bool CommittedWorkSeen { get; private set; }

        public bool MarkerWasOnDiskAtCommit { get; private set; }

        public void Register(IServiceCollection services) => services.AddSingleton<ITaskWakeup>(sp =>
        {
            _runner = sp.GetRequiredService<TaskRunner>();
            return this;
        });

        public void Wake(UserContext user) => Observe(user);

        public IDisposable ExpectWork(UserContext user)
        {
            // The runner's expectation is never ended: the process is dead before it could be.
            _runner.ExpectWork(user);
            return new PostCommit(() => Observe(user));
        }

        private void Observe(UserContext user)
        {
            using (var db = SqliteDatabase.Open(user.Database.Path, user.Database.Key, pooling: false))
            {
                CommittedWorkSeen = db.ExecuteScalar<long>("SELECT count(*) FROM background_tasks WHERE status = 'queued';") > 0;
            }

            MarkerWasOnDiskAtCommit = QueuedWorkMarkers.IsSet(user);
        }

        private sealed class PostCommit(Action died) : IDisposable
        {
            public void Dispose() => died();
        }
    }
}
