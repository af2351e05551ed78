using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

/// <summary>
/// Issue 11, fix 2: a warm encrypted read must come from the page cache, and one user's concurrency must not
/// multiply caches: the cache is sized, connections per file are bounded, SQLite's memory is bounded per process.
/// </summary>
[Trait(Category.Name, Category.Unit)]
public sealed class PageCacheTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TestDirectory _dir = new();
    private readonly DatabaseLocation _location;

    public PageCacheTests() => _location = new("owner", _dir.Combine("staging.db"), StoreFixtures.NewKey());

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EveryConnectionHasTheSizedCacheAndTheProcessABoundedSqliteHeap()
    {
        var databases = new UserDatabases();
        using var connection = databases.Open(_location);

        Assert.Equal(-SqliteDatabase.PageCacheKiB, connection.ExecuteScalar<long>("PRAGMA cache_size;"));
        Assert.Equal(databases.Capacity.MemoryBudgetBytes, connection.ExecuteScalar<long>("PRAGMA soft_heap_limit;"));
    }

    [Fact]
    public async Task AnOpenBeyondTheFilesBoundWaitsForAConnectionToClose()
    {
        var databases = new UserDatabases(new StorageOptions { MaxConnectionsPerDatabase = 2, ConnectionSlotWait = TimeSpan.FromMinutes(1) });
        await using var first = await databases.OpenAsync(_location).WaitAsync(Timeout);
        var second = await databases.OpenAsync(_location).WaitAsync(Timeout);

        var third = databases.OpenAsync(_location);
        await Task.Delay(300);
        Assert.False(third.IsCompleted);

        await second.DisposeAsync();
        await using var opened = await third.WaitAsync(Timeout);
        Assert.Equal(0L, await opened.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs;"));
    }

    [Fact]
    public async Task OtherFilesAreNotHeldBackByOneFilesBound()
    {
        var databases = new UserDatabases(new StorageOptions { MaxConnectionsPerDatabase = 1, ConnectionSlotWait = TimeSpan.FromMinutes(1) });
        var other = _location with { OwnerId = "other", Path = _dir.Combine("other", "staging.db"), Key = StoreFixtures.NewKey() };
        await using var held = await databases.OpenAsync(_location).WaitAsync(Timeout);

        await using var opened = await databases.OpenAsync(other).WaitAsync(Timeout);

        Assert.Equal(0L, await opened.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs;"));
    }

    [Fact]
    public async Task AWaitThatOutlastsTheSlotWaitGoesAheadRatherThanDeadlocking()
    {
        var databases = new UserDatabases(new StorageOptions { MaxConnectionsPerDatabase = 1, ConnectionSlotWait = TimeSpan.FromMilliseconds(200) });
        await using var held = await databases.OpenAsync(_location).WaitAsync(Timeout);

        // The caller still holds its first connection: a strict bound would wait forever here.
        await using var nested = await databases.OpenAsync(_location).WaitAsync(Timeout);

        Assert.Equal(0L, await nested.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs;"));
    }

    [Fact]
    public async Task ACancelledWaitGivesItsLeaseBackSoAReplacementCanProceed()
    {
        var databases = new UserDatabases(new StorageOptions { MaxConnectionsPerDatabase = 1, ConnectionSlotWait = TimeSpan.FromMinutes(1) });
        var held = await databases.OpenAsync(_location).WaitAsync(Timeout);
        using var cancel = new CancellationTokenSource();
        var waiting = databases.OpenAsync(_location, cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
        await held.DisposeAsync();

        using var replacement = await databases.HoldForReplacementAsync(_location, Timeout).WaitAsync(Timeout);
    }
}
