namespace Peregrine.Tests.Distributed;

/// <summary>The AppHost with a second hosted app, added the way an operator would: one more "Apps" entry.</summary>
public sealed class FalconAppHostFixture : AppHostFixture
{
    protected override IEnumerable<string> ExtraConfiguration => ["Apps:1=falcon"];

    protected override IEnumerable<string> RequiredResources => [.. Resources, "falcon-api"];
}

[CollectionDefinition(Name)]
public sealed class FalconAppHostCollection : ICollectionFixture<FalconAppHostFixture>
{
    public const string Name = "AppHost with falcon";
}
