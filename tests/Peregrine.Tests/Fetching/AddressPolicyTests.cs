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

    /// <summary>Every IPv6 form that carries an IPv4 address, carrying a refused one (loopback, private, metadata).</summary>
    [Theory]
    [InlineData("::127.0.0.1")] // IPv4-compatible (::/96)
    [InlineData("::10.0.0.1")]
    [InlineData("::169.254.169.254")]
    [InlineData("::ffff:0:127.0.0.1")] // IPv4-translated (::ffff:0:0:0/96)
    [InlineData("::ffff:0:a9fe:a9fe")]
    [InlineData("0:0:0:0:0:ffff:7f00:1")] // IPv4-mapped, written out
    [InlineData("64:ff9b::127.0.0.1")] // NAT64, well-known prefix (64:ff9b::/96)
    [InlineData("64:ff9b::10.1.2.3")]
    [InlineData("64:ff9b:1::7f00:1")] // NAT64, local-use prefix (64:ff9b:1::/48), /96 embedding
    [InlineData("64:ff9b:1:7f00:0:100::")] // the same prefix with the /48 embedding
    [InlineData("64:ff9b:1:5db8:d7:e00::")] // a public address behind a local-use translator is still the operator's network
    [InlineData("2002:7f00:1::1")] // 6to4 (2002::/16)
    [InlineData("2002:a9fe:a9fe::")]
    [InlineData("2002:c0a8:101:1::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe")] // Teredo (2001::/32): client 127.0.0.1, stored inverted
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe")] // client 10.0.0.1
    [InlineData("2001:0:a00:1:8000:63bf:a2c8:28f1")] // server 10.0.0.1
    [InlineData("2606:4700::5efe:7f00:1")] // ISATAP interface identifier
    [InlineData("2606:4700::200:5efe:a9fe:a9fe")]
    public void IPv6FormsEmbeddingARefusedIPv4AddressAreRefused(string address) =>
        Assert.False(Cloud.Allows(IPAddress.Parse(address), 80), address);

    [Theory]
    [InlineData("2002:5db8:d70e::1")] // 6to4 of 93.184.215.14
    [InlineData("2001:0:4136:e378:8000:63bf:a247:28f1")] // Teredo, public server and client (93.184.215.14)
    [InlineData("::ffff:0:5db8:d70e")]
    public void IPv6FormsEmbeddingAPublicIPv4AddressAreJudgedByIt(string address) =>
        Assert.True(Cloud.Allows(IPAddress.Parse(address), 443), address);

    [Fact]
    public void LocalModeFetchesWhatItsOneUserAsks() =>
        Assert.True(new AddressPolicy(refusesPrivateAddresses: false, []).Allows(IPAddress.Loopback, 80));

    [Fact]
    public void AMalformedAllowListEntryStopsStartUp() =>
        Assert.Throws<InvalidOperationException>(() => new AddressPolicy(true, ["localhost"]));
}
