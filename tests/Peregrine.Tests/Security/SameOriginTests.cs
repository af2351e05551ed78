using Peregrine.Security;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Security;

/// <summary>RFC 6454 origin comparison as the CSRF guard does it: scheme, host and port, nothing else.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class SameOriginTests
{
    [Theory]
    [InlineData("https://circuitforge.tech", "https://circuitforge.tech")]
    [InlineData("https://circuitforge.tech", "https://CircuitForge.Tech:443")]
    [InlineData("http://localhost:8505", "http://localhost:8505/")]
    [InlineData("http://127.0.0.1", "http://127.0.0.1:80")]
    public void TheSameSchemeHostAndPortAreTheSameOrigin(string origin, string expected) =>
        Assert.True(CrossSiteRequestGuard.SameOrigin(origin, expected));

    [Theory]
    [InlineData("http://circuitforge.tech", "https://circuitforge.tech")]
    [InlineData("https://circuitforge.tech:8443", "https://circuitforge.tech")]
    [InlineData("https://evil.circuitforge.tech", "https://circuitforge.tech")]
    [InlineData("https://circuitforge.tech.evil.example", "https://circuitforge.tech")]
    [InlineData("https://circuitforge.tech/peregrine", "https://circuitforge.tech")]
    [InlineData("https://user@circuitforge.tech", "https://circuitforge.tech")]
    [InlineData("null", "https://circuitforge.tech")]
    [InlineData("file:///etc/passwd", "https://circuitforge.tech")]
    [InlineData("", "https://circuitforge.tech")]
    public void AnythingElseIsAnotherOrigin(string origin, string expected) =>
        Assert.False(CrossSiteRequestGuard.SameOrigin(origin, expected));
}
