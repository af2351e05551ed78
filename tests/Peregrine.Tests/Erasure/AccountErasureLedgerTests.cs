using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Peregrine.Api.Erasure;
using Peregrine.Api.Platform;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Platform;

namespace Peregrine.Tests.Erasure;

/// <summary>The per-process erasure cache answers from Postgres and keeps only what still says something.</summary>
[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class AccountErasureLedgerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task StaleNotErasedAnswersAreSweptAndAnErasureIsStillKnown()
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await new PlatformSchema(dataSource, NullLogger<PlatformSchema>.Instance).MigrateAsync(CancellationToken.None);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ledger = new AccountErasureLedger(dataSource, clock, NullLogger<AccountErasureLedger>.Instance);
        var erased = Guid.NewGuid().ToString();
        ledger.Note(erased, clock.GetUtcNow());

        // Three waves of users who were never erased, each asked once, long enough apart for the answers to go stale.
        for (var wave = 0; wave < 3; wave++)
        {
            for (var i = 0; i < 1_100; i++)
            {
                Assert.Null(await ledger.ErasedAtAsync(Guid.NewGuid().ToString(), refresh: false, CancellationToken.None));
            }

            clock.Advance(AccountErasureLedger.CacheFor + TimeSpan.FromSeconds(1));
        }

        Assert.InRange(ledger.CachedCount, 1, 2 * 1_100); // bounded by the recent waves, not the 3,300 users asked
        Assert.NotNull(await ledger.ErasedAtAsync(erased, refresh: false, CancellationToken.None));
    }
}
