using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Platform;

/// <summary>One Postgres for every platform test; the tests in it run one after another (one of them stops it).</summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Platform DB";
}
