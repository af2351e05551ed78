using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Peregrine.Demo.Sandboxes;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>Sandboxes are bounded in number, expire when idle and are swept at start-up.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class SandboxLifetimeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AnIdleSandboxExpiresAndItsVisitorGetsAFreshSeedCopy()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var demo = new DemoFactory { Time = clock }
            .Configure("Demo:IdleExpiry", "00:30:00")
            .Configure("Demo:SweepInterval", "1.00:00:00");
        using var idle = demo.CreateVisitor();
        using var active = demo.CreateVisitor();
        var idleId = await VisitorIdAsync(idle);
        (await idle.PostAsJsonAsync($"{App}/api/jobs", new { url = "https://jobs.example.com/before-expiry" })).EnsureSuccessStatusCode();
        var sandboxes = demo.Services.GetRequiredService<DemoSandboxes>();

        clock.Advance(TimeSpan.FromMinutes(20));
        var activeId = await VisitorIdAsync(active);
        Assert.Equal(0, await sandboxes.SweepAsync());
        clock.Advance(TimeSpan.FromMinutes(11));
        var removed = await sandboxes.SweepAsync();

        Assert.Equal(1, removed);
        Assert.False(Directory.Exists(Path.Combine(demo.SandboxesDirectory, idleId)));
        Assert.True(Directory.Exists(Path.Combine(demo.SandboxesDirectory, activeId)));
        Assert.Equal(idleId, await VisitorIdAsync(idle));
        Assert.Equal(24, (await CountsAsync(idle)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task TheSweeperRemovesExpiredSandboxesOnTheHostsClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var demo = new DemoFactory { Time = clock }
            .Configure("Demo:IdleExpiry", "00:10:00")
            .Configure("Demo:SweepInterval", "00:05:00");
        using var visitor = demo.CreateVisitor();
        var directory = Path.Combine(demo.SandboxesDirectory, await VisitorIdAsync(visitor));
        Assert.True(Directory.Exists(directory));

        await Eventually.UntilAsync(() =>
        {
            clock.Advance(TimeSpan.FromMinutes(5));
            return !Directory.Exists(directory);
        }, Bound);
    }

    [Fact]
    public async Task TheLruBoundRemovesTheLeastRecentlyUsedIdleSandbox()
    {
        await using var demo = new DemoFactory().Configure("Demo:MaxSandboxes", "3");
        using var first = demo.CreateVisitor();
        using var second = demo.CreateVisitor();
        using var third = demo.CreateVisitor();
        using var fourth = demo.CreateVisitor();
        var firstId = await VisitorIdAsync(first);
        var secondId = await VisitorIdAsync(second);
        var thirdId = await VisitorIdAsync(third);
        await VisitorIdAsync(first);

        var fourthId = await VisitorIdAsync(fourth);
        var sandboxes = demo.Services.GetRequiredService<DemoSandboxes>();
        await Eventually.UntilAsync(() => !Directory.Exists(Path.Combine(demo.SandboxesDirectory, secondId)), Bound);

        Assert.Equal(3, sandboxes.Count);
        Assert.False(sandboxes.Exists(secondId));
        Assert.All([firstId, thirdId, fourthId], id => Assert.True(sandboxes.Exists(id)));
        Assert.Equal(3, Directory.GetDirectories(demo.SandboxesDirectory).Count(d => !Path.GetFileName(d).StartsWith('.')));
    }

    [Fact]
    public async Task StartUpSweepsExpiredSandboxesAndLeftoversAndKeepsRecentOnes()
    {
        using var root = new TestDirectory("peregrine-demo-root");
        var sandboxes = Path.Combine(root.Path, "sandboxes");
        var expired = Path.Combine(sandboxes, VisitorCookie.NewVisitorId());
        var recent = Path.Combine(sandboxes, VisitorCookie.NewVisitorId());
        var leftover = Path.Combine(sandboxes, ".new-interrupted");
        foreach (var directory in new[] { expired, recent, leftover, Path.Combine(sandboxes, "NOT-A-VISITOR") })
        {
            Directory.CreateDirectory(directory);
        }

        Directory.SetLastWriteTimeUtc(expired, DateTime.UtcNow.AddHours(-3));

        await using var demo = new DemoFactory(root).Configure("Demo:IdleExpiry", "02:00:00");
        _ = demo.Server;

        Assert.False(Directory.Exists(expired));
        Assert.False(Directory.Exists(leftover));
        Assert.False(Directory.Exists(Path.Combine(sandboxes, "NOT-A-VISITOR")));
        Assert.True(Directory.Exists(recent));
        Assert.True(demo.Services.GetRequiredService<DemoSandboxes>().Exists(Path.GetFileName(recent)));
    }
}
