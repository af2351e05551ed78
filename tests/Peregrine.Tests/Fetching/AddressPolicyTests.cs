using System.Net;
using Peregrine.Fetching;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Fetching;

[Trait(Category.Name, Category.Unit)]
public sealed class AddressPolicyTests
{
    private static readonly AddressPolicy Cloud = new(refusesPrivateAddresses: true, ["127.0.0.1:8080", "10.9.9.9"]);

    [Theory]
    [InlineData("127.0.0.1", 80)]
    [InlineData("127.8.9.10", 443)]
    [InlineData("10.0.0.1", 80)]
    [InlineData("172.16.5.4", 80)]
    [InlineData("172.31.255.255", 80)]
    [InlineData("192.168.1.1", 80)]
    [InlineData("169.254.169.254", 80)]
    [InlineData("100.64.0.1", 80)]
    [InlineData("100.127.255.254", 80)]
    [InlineData("0.0.0.0", 80)]
    [InlineData("224.0.0.251", 5353)]
    [InlineData("255.255.255.255", 80)]
    [InlineData("198.18.0.1", 80)]
    [InlineData("::1", 80)]
    [InlineData("::", 80)]
    [InlineData("fe80::1", 80)]
    [InlineData("fd00:ec2::254", 80)]
    [InlineData("fc00::1", 80)]
    [InlineData("ff02::1", 80)]
    [InlineData("::ffff:127.0.0.1", 80)]
    [InlineData("::ffff:10.0.0.1", 80)]
    [InlineData("64:ff9b::a9fe:a9fe", 80)]
    [InlineData("127.0.0.1", 8081)]
    public void InternalAddressesAreRefusedInCloudMode(string address, int port) =>
        Assert.False(Cloud.Allows(IPAddress.Parse(address), port));

    [Theory]
    [InlineData("93.184.215.14", 443)]
    [InlineData("172.32.0.1", 80)]
    [InlineData("100.128.0.1", 80)]
    [InlineData("2606:4700::1111", 443)]
    [InlineData("64:ff9b::5db8:d70e", 80)]
    [InlineData("127.0.0.1", 8080)]
    [InlineData("10.9.9.9", 1234)]
    [InlineData("::ffff:127.0.0.1", 8080)]
    public void PublicAndAllowListedAddressesAreAllowed(string address, int port) =>
        Assert.True(Cloud.Allows(IPAddress.Parse(address), port));

    [Fact]
    public void LocalModeFetchesWhatItsOneUserAsks() =>
        Assert.True(new AddressPolicy(refusesPrivateAddresses: false, []).Allows(IPAddress.Loopback, 80));

    [Fact]
    public void AMalformedAllowListEntryStopsStartUp() =>
        Assert.Throws<InvalidOperationException>(() => new AddressPolicy(true, ["localhost"]));
}
