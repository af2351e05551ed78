using Peregrine.Sessions;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sessions;

/// <summary>Upstream's table of where a session token is found, row by row, on the pure extraction rule.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class SessionTokenExtractionTests
{
    [Theory]
    [InlineData("a=1; cf_session=abc.def; b=2", "abc.def")]
    [InlineData("cf_session=abc", "abc")]
    [InlineData("  cf_session=lead", "lead")]
    [InlineData("foo=1;cf_session= tok ;", "tok")]
    [InlineData("cf_session=one; cf_session=two", "one")]
    [InlineData("xcf_session=abc", "")]
    [InlineData("a=1;xcf_session=abc", "")]
    [InlineData("cf_session=;a=b", "")]
    [InlineData("a=1,cf_session=x", "")]
    [InlineData("abc.def.ghi", "")]
    [InlineData("cf_session=a%2Eb", "a%2Eb")]
    [InlineData("", "")]
    public void ExtractsTheFirstCfSessionValueByUpstreamRules(string header, string expected) =>
        Assert.Equal(expected, SessionToken.FromHeaderValue(header));

    [Fact]
    public void ForwardedHeaderWinsOverCookie() =>
        Assert.Equal("forwarded", SessionToken.FromHeaders("cf_session=forwarded", "cf_session=direct"));

    [Fact]
    public void CookieIsReadWhenForwardedHeaderIsAbsentOrEmpty()
    {
        Assert.Equal("direct", SessionToken.FromHeaders(null, "cf_session=direct"));
        Assert.Equal("direct", SessionToken.FromHeaders("", "cf_session=direct"));
    }

    [Fact]
    public void ForwardedHeaderWithoutASessionDoesNotFallBackToCookie() =>
        Assert.Equal("", SessionToken.FromHeaders("other=1", "cf_session=direct"));
}
