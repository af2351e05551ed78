using Peregrine.Api.Shards;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Shards;

/// <summary>A forwarded body is resent once when its owner was a former home (421), whether or not it had a length.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class ReplayableBodyTests
{
    private static readonly byte[] Content = [.. Enumerable.Range(0, 10_000).Select(i => (byte)i)];

    [Fact]
    public async Task ABodyPartlyReadIsReadAgainWholeAfterARewind()
    {
        var body = new ReplayableBody(new MemoryStream(Content), limit: 1 << 20);
        var firstPart = new byte[3_000];
        await body.ReadExactlyAsync(firstPart);

        Assert.True(body.TryRewind());

        Assert.Equal(Content, await ReadToEndAsync(body));
    }

    [Fact]
    public async Task ABodyReadToTheEndIsReadAgainWholeAfterARewind()
    {
        var body = new ReplayableBody(new MemoryStream(Content), limit: Content.Length);
        await ReadToEndAsync(body);

        Assert.True(body.TryRewind());

        Assert.Equal(Content, await ReadToEndAsync(body));
    }

    [Fact]
    public async Task ABodyLargerThanTheLimitIsReadWholeButCannotBeRewound()
    {
        var body = new ReplayableBody(new MemoryStream(Content), limit: 4_096);

        Assert.Equal(Content, await ReadToEndAsync(body));
        Assert.False(body.TryRewind());
    }

    private static async Task<byte[]> ReadToEndAsync(Stream body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy, bufferSize: 1_000);
        return copy.ToArray();
    }
}
