using System.Globalization;
using System.Net;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// The demo stack as the runbook starts it (compose.demo.yml, project peregrine-demo, no --env-file): a visitor's
/// sandbox lives in the demo's own volume and is found again, by its cookie, after a restart, a crash and down/up.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(Category.Name, Category.Deploy)]
public sealed class DemoStackTests(DeployLayer layer)
{
    private const string SandboxCookie = "prgn_demo_sandbox";

    [Fact]
    public async Task AVisitorsSandboxSurvivesARestartACrashAndDownThenUp()
    {
        var (visitor, seeded) = await NewVisitorAsync();
        await AiApi.CreateJobAsync(visitor, "Engineer", "Acme");

        await layer.Demo.RunAsync(DeployLayer.Command, "restart", "app");
        await layer.Demo.WaitUntilHealthyAsync(DeployLayer.Healthy);
        Assert.Equal(seeded + 1, await Bastion.JobCountAsync(visitor));

        var before = await CloudStackTests.AppContainerAsync(layer.Demo);
        Assert.Equal(0, (await CommandLine.RunAsync("kill", ["-KILL", before.HostPid.ToString(CultureInfo.InvariantCulture)], "/", DeployLayer.Command)).ExitCode);
        await Eventually.UntilAsync(async () => (await CloudStackTests.AppContainerAsync(layer.Demo)).Restarts > before.Restarts, DeployLayer.Healthy, TimeSpan.FromSeconds(1));
        await layer.Demo.WaitUntilHealthyAsync(DeployLayer.Healthy);
        Assert.Equal(seeded + 1, await Bastion.JobCountAsync(visitor));

        // The runbook's demo Start after a stop.
        await layer.Demo.RunAsync(DeployLayer.Command, "down");
        await layer.Demo.RunAsync(DeployLayer.Command, "up", "-d");
        await layer.Demo.WaitUntilHealthyAsync(DeployLayer.Healthy);
        Assert.Equal(seeded + 1, await Bastion.JobCountAsync(visitor));
    }

    [Fact]
    public async Task TheDemoLogShowsTheRequestAndItsAiIsRefused()
    {
        var (visitor, _) = await NewVisitorAsync();
        var marker = Guid.NewGuid().ToString("N");
        (await visitor.GetAsync($"/peregrine/api/jobs/counts?probe={marker}")).EnsureSuccessStatusCode();
        var job = await AiApi.CreateJobAsync(visitor, "Engineer", "Acme");

        using var suggest = await visitor.PostAsync($"/peregrine/api/jobs/{job}/qa/suggest", JsonContent("{\"question\":\"Why us?\"}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, suggest.StatusCode);
        Assert.Contains(Peregrine.Llm.AiDisabledInDemoException.Text, await suggest.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var logs = string.Empty;
        await Eventually.UntilAsync(
            async () => (logs = await layer.Demo.RunAsync(DeployLayer.Command, "logs", "app")).Contains(marker, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            TimeSpan.FromSeconds(1));
    }

    /// <summary>A new visitor: its first request makes the sandbox and sets the cookie that finds it again.</summary>
    private async Task<(HttpClient Visitor, long SeededJobs)> NewVisitorAsync()
    {
        using var anonymous = Bastion.Client(layer.Deployment.DemoBastion);
        using var first = await anonymous.GetAsync("/peregrine/api/jobs/counts");
        first.EnsureSuccessStatusCode();
        var cookie = first.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(SandboxCookie + "=", StringComparison.Ordinal));
        var visitor = Bastion.Client(layer.Deployment.DemoBastion, cookie);
        return (visitor, await Bastion.JobCountAsync(visitor));
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
