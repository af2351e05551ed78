using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sessions;

/// <summary>Upstream's key derivation: HMAC-SHA256(key = UTF-8 CF_SERVER_SECRET, message = UTF-8 user id).</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class DatabaseKeyVectorTests
{
    [Theory]
    [InlineData("test-secret", "user-uuid-123", "4061e88af7a3f605edce064850d575c2bccb9e5a13c185ab9569391391087eaa")]
    [InlineData("s3cr3t", "00000000-0000-0000-0000-000000000001", "4633e7111f29c507e8238f6f7329bb283016c1f803c84014b151db7954e61ff0")]
    public void DerivesUpstreamsKeyVectors(string serverSecret, string userId, string expectedHex) =>
        Assert.Equal(expectedHex, DatabaseKey.Derive(serverSecret, userId).ToHex());

    [Fact]
    public void RefusesToDeriveFromAnEmptySecret() =>
        Assert.ThrowsAny<ArgumentException>(() => DatabaseKey.Derive("", "user-uuid-123"));
}
