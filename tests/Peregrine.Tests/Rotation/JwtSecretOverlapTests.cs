using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Rotation;

/// <summary>During a Directus secret rotation, tokens signed with the previous secret are accepted until the window's end, and only until then.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class JwtSecretOverlapTests
{
    private const string PreviousSecret = "previous-directus-secret-fedcba9876543210";
    private static readonly DateTimeOffset WindowEnd = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static DirectusSessionValidator Validator(TimeProvider clock, string? previous = PreviousSecret, string? until = "2026-12-03T12:00:00Z") =>
        new(Options.Create(new PeregrineOptions
        {
            DirectusJwtSecret = TestTokens.JwtSecret,
            PreviousDirectusJwtSecret = previous,
            PreviousJwtSecretValidUntil = until,
        }), Options.Create(new DirectusSessionOptions()), clock, NullLogger<DirectusSessionValidator>.Instance);

    private static string Token(string user, string secret, DateTimeOffset issuedAt) =>
        TestTokens.Sign(TestTokens.SessionClaims(user, issuedAt), secret);

    [Fact]
    public async Task ATokenSignedWithThePreviousSecretIsAcceptedInsideTheWindowAndRefusedAfterIt()
    {
        var clock = new FakeTimeProvider(WindowEnd.AddHours(-2));
        var validator = Validator(clock);
        var user = Guid.NewGuid().ToString();
        var oldToken = Token(user, PreviousSecret, clock.GetUtcNow().AddMinutes(-5));

        Assert.Equal(user, await validator.ValidateAsync(oldToken));

        clock.SetUtcNow(WindowEnd.AddSeconds(1));
        Assert.Null(await validator.ValidateAsync(oldToken));
    }

    [Fact]
    public async Task ATokenSignedWithTheCurrentSecretIsAcceptedBeforeAndAfterTheWindow()
    {
        var clock = new FakeTimeProvider(WindowEnd.AddHours(-1));
        var validator = Validator(clock);
        var user = Guid.NewGuid().ToString();

        Assert.Equal(user, await validator.ValidateAsync(Token(user, TestTokens.JwtSecret, clock.GetUtcNow())));
        clock.SetUtcNow(WindowEnd.AddHours(1));
        Assert.Equal(user, await validator.ValidateAsync(Token(user, TestTokens.JwtSecret, clock.GetUtcNow())));
    }

    [Fact]
    public async Task WithoutAPreviousSecretATokenSignedWithAnotherSecretIsRefused()
    {
        var clock = new FakeTimeProvider(WindowEnd.AddHours(-1));
        var validator = Validator(clock, previous: null, until: null);

        Assert.Null(await validator.ValidateAsync(Token(Guid.NewGuid().ToString(), PreviousSecret, clock.GetUtcNow())));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("next tuesday")]
    public void APreviousSecretWithoutAReadableWindowEndStopsStartUp(string? until)
    {
        var options = new PeregrineOptions
        {
            CloudModeFlag = "true",
            CloudDataRoot = "/tmp/x",
            ServerSecret = "s",
            DirectusJwtSecret = TestTokens.JwtSecret,
            PreviousDirectusJwtSecret = PreviousSecret,
            PreviousJwtSecretValidUntil = until,
        };

        var result = new PeregrineOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("DIRECTUS_JWT_SECRET_PREVIOUS_UNTIL", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(PreviousSecret, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void APreviousServerSecretEqualToTheCurrentOneStopsStartUpWithoutPrintingIt()
    {
        var options = new PeregrineOptions
        {
            CloudModeFlag = "true",
            CloudDataRoot = "/tmp/x",
            ServerSecret = "server-secret-s2",
            PreviousServerSecrets = "server-secret-s1, server-secret-s2",
            DirectusJwtSecret = TestTokens.JwtSecret,
        };

        var result = new PeregrineOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("CF_SERVER_SECRET_PREVIOUS", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("server-secret-s", result.FailureMessage, StringComparison.Ordinal);
    }
}
