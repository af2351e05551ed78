using Dapper;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

[Trait(Category.Name, Category.Unit)]
public sealed class UserDatabasesTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private DatabaseLocation Owner(int n) => new($"owner-{n}", _dir.Combine($"owner-{n}", "staging.db"), StoreFixtures.NewKey());

    [Fact]
    public void OnlyTheMostRecentlyUsedDatabasesKeepPooledHandles()
    {
        var databases = new UserDatabases(new StorageOptions { MaxPooledDatabases = 3 });
        var owners = Enumerable.Range(0, 5).Select(Owner).ToList();

        foreach (var owner in owners)
        {
            using var connection = databases.Open(owner);
        }

        using (databases.Open(owners[2]))
        {
        }

        Assert.Equal(3, databases.PooledCount);
        Assert.False(databases.IsPooled(owners[0]));
        Assert.False(databases.IsPooled(owners[1]));
        Assert.True(databases.IsPooled(owners[2]));
        Assert.True(databases.IsPooled(owners[4]));
    }

    [Fact]
    public void AStreamOfOneTimeUsersDoesNotEvictTheUsersMidSession()
    {
        var databases = new UserDatabases(new StorageOptions { MaxPooledDatabases = 10 });
        var midSession = Enumerable.Range(0, 5).Select(Owner).ToList();
        foreach (var owner in midSession.Concat(midSession))
        {
            using var connection = databases.Open(owner);
        }

        // New users signing in once each (or a scan touching every DB): three times the pool, one open each.
        foreach (var once in Enumerable.Range(100, 30).Select(Owner))
        {
            using var connection = databases.Open(once);
        }

        Assert.All(midSession, owner => Assert.True(databases.IsPooled(owner), $"{owner.OwnerId} was evicted by one-time users"));
        Assert.Equal(10, databases.PooledCount);
    }

    [Fact]
    public void FilesThatLeftThePoolUnusedAreForgottenSoMemoryFollowsTheActiveUsers()
    {
        var databases = new UserDatabases(new StorageOptions { MaxPooledDatabases = 3 });
        var owners = Enumerable.Range(0, 50).Select(Owner).ToList();

        foreach (var owner in owners)
        {
            using var connection = databases.Open(owner);
            connection.Execute("INSERT INTO jobs (title, url) VALUES (@OwnerId, 'https://jobs.example/' || @OwnerId);", owner);
        }

        Assert.Equal(3, databases.KnownFileCount);
        using var first = databases.Open(owners[0]); // prepared again: the same file, the same row
        Assert.Equal("owner-0", first.ExecuteScalar<string>("SELECT title FROM jobs;"));
    }

    [Fact]
    public void AFileInUseOrKeptIsNotForgottenAndItsRunningTaskIsNotFailedAgain()
    {
        var databases = new UserDatabases(new StorageOptions { MaxPooledDatabases = 1 });
        var (inUse, kept) = (Owner(1), Owner(2));
        using var open = databases.Open(inUse);
        using (var connection = databases.Open(kept))
        {
            connection.Execute("INSERT INTO background_tasks (task_type, status) VALUES ('scrape_url', 'running');");
        }

        using (databases.Keep(kept))
        {
            foreach (var other in Enumerable.Range(3, 5).Select(Owner))
            {
                using var connection = databases.Open(other);
            }

            Assert.Equal(3, databases.KnownFileCount); // the open one, the kept one, the pooled one

            // This process's own task is under way: reopening must not take it for one a restart interrupted.
            using var again = databases.Open(kept);
            Assert.Equal("running", again.ExecuteScalar<string>("SELECT status FROM background_tasks;"));
        }
    }

    [Fact]
    public void EvictedOwnerReopensWithItsData()
    {
        var databases = new UserDatabases();
        var owner = Owner(1);
        using (var connection = databases.Open(owner))
        {
            connection.Execute("INSERT INTO jobs (title, url) VALUES ('Engineer', 'https://jobs.example/1');");
        }

        databases.Evict(owner);

        Assert.False(databases.IsPooled(owner));
        using var again = databases.Open(owner);
        Assert.Equal(1, StoreFixtures.Count(again, "jobs"));
    }

    [Fact]
    public void RunningTasksAreFailedOnTheFirstOpenAfterARestartAndQueuedOnesSurvive()
    {
        var owner = Owner(1);
        using (var connection = new UserDatabases().Open(owner))
        {
            connection.Execute("INSERT INTO background_tasks (task_type, status) VALUES ('discovery', 'running'), ('scrape_url', 'queued');");
        }

        using var restarted = new UserDatabases().Open(owner);

        var tasks = restarted.Query<(string TaskType, string Status, string? Error)>("SELECT task_type, status, error FROM background_tasks ORDER BY id;").ToList();
        Assert.Equal(("discovery", "failed", BackgroundTasks.InterruptedByRestart), tasks[0]);
        Assert.Equal(("scrape_url", "queued", (string?)null), tasks[1]);
    }

    [Fact]
    public void AnImportInterruptedByARestartOrCancelledNoLongerSaysImporting()
    {
        var owner = Owner(1);
        using (var connection = new UserDatabases().Open(owner))
        {
            connection.Execute("""
                INSERT INTO jobs (id, title, url, status) VALUES
                    (1, 'Importing...', 'https://jobs.example.com/1', 'pending'),
                    (2, 'Importing...', 'https://careers.example.org/2', 'pending'),
                    (3, 'Importing...', 'https://queued.example.net/3', 'pending');
                INSERT INTO background_tasks (id, task_type, job_id, status) VALUES
                    (1, 'scrape_url', 1, 'running'), (2, 'scrape_url', 2, 'queued'), (3, 'scrape_url', 3, 'queued');
                """);
        }

        using var restarted = new UserDatabases().Open(owner);
        Assert.True(BackgroundTasks.Cancel(restarted, 2, TimeProvider.System));

        var titles = restarted.Query<string>("SELECT title FROM jobs ORDER BY id;").ToList();
        Assert.Equal(["jobs.example.com", "careers.example.org", "Importing..."], titles); // the queued one is still to come
    }

    [Fact]
    public void TasksAreDeduplicatedPerTypeAndJobWhileActive()
    {
        using var connection = new UserDatabases().Open(Owner(1));

        var first = BackgroundTasks.Submit(connection, "cover_letter", 7, null, TimeProvider.System);
        var duplicate = BackgroundTasks.Submit(connection, "cover_letter", 7, null, TimeProvider.System);
        var otherParams = BackgroundTasks.Submit(connection, "resume_optimize", 7, """{"full_rewrite":true}""", TimeProvider.System);
        var sameParams = BackgroundTasks.Submit(connection, "resume_optimize", 7, """{"full_rewrite":true}""", TimeProvider.System);
        var differentParams = BackgroundTasks.Submit(connection, "resume_optimize", 7, """{"full_rewrite":false}""", TimeProvider.System);

        Assert.True(first.IsNew);
        Assert.Equal(new TaskSubmission(first.TaskId, false), duplicate);
        Assert.True(otherParams.IsNew);
        Assert.False(sameParams.IsNew);
        Assert.True(differentParams.IsNew);

        Assert.True(BackgroundTasks.Cancel(connection, first.TaskId, TimeProvider.System));
        Assert.False(BackgroundTasks.Cancel(connection, first.TaskId, TimeProvider.System));
        Assert.Null(BackgroundTasks.Cancel(connection, 999, TimeProvider.System));
        Assert.True(BackgroundTasks.Submit(connection, "cover_letter", 7, null, TimeProvider.System).IsNew);
        Assert.Equal(3, BackgroundTasks.KillAll(connection, TimeProvider.System));
        Assert.Equal(BackgroundTasks.KilledByUser, connection.ExecuteScalar<string>("SELECT error FROM background_tasks ORDER BY id DESC LIMIT 1;"));
    }
}
