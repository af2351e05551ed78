using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

/// <summary>The pool is sized by what the host has: its memory and its open-file limit, whichever is tighter.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class PoolCapacityTests
{
    private const long GiB = 1024L * 1024 * 1024;

    [Fact]
    public void AHostWithMemoryAndFilesToSparePoolsThousandsOfUsers()
    {
        // 24 GB and 65,536 files: a quarter of the memory at 1 MiB per DB; the files allow (65,536 - 16,384) / 3.
        var capacity = PoolCapacity.For(new StorageOptions(), availableMemory: 24 * GiB, openFileLimit: 65_536);

        Assert.Equal(6_144, capacity.Databases);
        Assert.Equal("memory budget", capacity.LimitedBy);
        Assert.Equal(6 * GiB, capacity.MemoryBudgetBytes);
    }

    [Fact]
    public void TheOpenFileLimitBoundsThePoolAtThreeFilesPerDatabase()
    {
        var capacity = PoolCapacity.For(new StorageOptions(), availableMemory: 24 * GiB, openFileLimit: 4_096);

        Assert.Equal((4_096 - 1_024) / 3, capacity.Databases);
        Assert.Equal("open-file limit", capacity.LimitedBy);
        Assert.True(capacity.Databases * PoolCapacity.FilesPerDatabase + capacity.ReservedFiles <= 4_096);
    }

    [Fact]
    public void ASmallContainerGetsASmallPoolAndTheFloorStillServesAFew()
    {
        Assert.Equal(256, PoolCapacity.For(new StorageOptions(), availableMemory: 1 * GiB, openFileLimit: 1_048_576).Databases);
        Assert.Equal(PoolCapacity.Minimum, PoolCapacity.For(new StorageOptions(), availableMemory: 1 * GiB, openFileLimit: 1_024).Databases);
    }

    [Fact]
    public void ExplicitSettingsWin()
    {
        var options = new StorageOptions { MemoryBudgetMiB = 2_048, MemoryPerDatabaseKiB = 512, ReservedFileDescriptors = 100 };
        Assert.Equal(4_096, PoolCapacity.For(options, availableMemory: 24 * GiB, openFileLimit: 1_048_576).Databases);
        Assert.Equal(300, PoolCapacity.For(options, availableMemory: 24 * GiB, openFileLimit: 1_000).Databases);

        var fixedPool = PoolCapacity.For(new StorageOptions { MaxPooledDatabases = 50 }, availableMemory: 24 * GiB, openFileLimit: 65_536);
        Assert.Equal(50, fixedPool.Databases);
    }

    [Fact]
    public void ThisProcessReportsItsOpenFileLimit() => Assert.True(PoolCapacity.OpenFileLimitOfThisProcess() >= 1_024);
}
