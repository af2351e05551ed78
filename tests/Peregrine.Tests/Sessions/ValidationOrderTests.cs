using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sessions;

/// <summary>Nothing in a token is believed before its signature is: the clock is not even read for a forged one.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class ValidationOrderTests
{
    private sealed class WatchedClock : TimeProvider
    {
        public int Reads { get; private set; }

        public override DateTimeOffset GetUtcNow()
        {
            Reads++;
            return base.GetUtcNow();
        }
    }

    private static (DirectusSessionValidator Validator, WatchedClock Clock) CreateValidator()
    {
        var clock = new WatchedClock();
        var options = Options.Create(new PeregrineOptions { DirectusJwtSecret = TestTokens.JwtSecret });
        return (new DirectusSessionValidator(options, Options.Create(new DirectusSessionOptions()), clock, NullLogger<DirectusSessionValidator>.Instance), clock);
    }

    [Fact]
    public async Task SignatureIsCheckedBeforeLifetimeAndClaims()
    {
        var (validator, clock) = CreateValidator();
        var user = Guid.NewGuid().ToString();
        var expiredAndForged = TestTokens.Sign(TestTokens.SessionClaims(user, DateTimeOffset.UtcNow.AddDays(-3)), secret: "not-the-directus-secret-0123456789");

        Assert.Null(await validator.ValidateAsync(expiredAndForged));
        Assert.Equal(0, clock.Reads);
    }

    [Fact]
    public async Task ACorrectlySignedTokenHasItsLifetimeChecked()
    {
        var (validator, clock) = CreateValidator();
        var user = Guid.NewGuid().ToString();

        Assert.Null(await validator.ValidateAsync(TestTokens.Sign(TestTokens.SessionClaims(user, DateTimeOffset.UtcNow.AddDays(-3)))));
        Assert.True(clock.Reads > 0);
        Assert.Equal(user, await validator.ValidateAsync(TestTokens.Session(user)));
    }
}
