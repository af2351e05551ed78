using System.Net;
using Peregrine.Api.Shards;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Shards;

/// <summary><c>Shards__AdvertisedIp</c> is an IP literal on loopback and a compose service name (<c>app-b</c>) in containers.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class AdvertisedAddressTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("::1")]
    public void AnIpLiteralIsKeptAsIs(string literal)
    {
        Assert.Equal(IPAddress.Parse(literal), AdvertisedAddress.Resolve(literal, out var problem, attempts: 1));
        Assert.Null(problem);
    }

    [Fact]
    public void AHostNameIsResolvedToItsAddress()
    {
        var address = AdvertisedAddress.Resolve("localhost", out var problem, attempts: 1);

        Assert.Null(problem);
        Assert.NotNull(address);
        Assert.True(IPAddress.IsLoopback(address), address.ToString());
    }

    [Fact]
    public void ANameThatNeverResolvesGivesUpAfterTheGivenAttemptsWithOneLineNamingTheVariable()
    {
        var address = AdvertisedAddress.Resolve("no-such-shard.invalid", out var problem, attempts: 2, delay: TimeSpan.FromMilliseconds(10));

        Assert.Null(address);
        Assert.NotNull(problem);
        Assert.StartsWith("Shards__AdvertisedIp 'no-such-shard.invalid' is neither an IP address nor a host name that resolves", problem, StringComparison.Ordinal);
        Assert.Contains("after 2 attempts", problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }
}
