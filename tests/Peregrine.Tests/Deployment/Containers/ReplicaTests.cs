using System.Net;
using System.Text.RegularExpressions;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// Two replicas of the cloud app share one Data Protection key ring (in the data root): a form one renders posts to
/// the other. Each replica is addressed by its container address from inside the bastion container (the hop the
/// bastion itself makes), so the test itself still reaches no container except through 127.0.0.1.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(Category.Name, Category.Deploy)]
public sealed partial class ReplicaTests(DeployLayer layer)
{
    [Fact]
    public async Task TwoReplicasAcceptEachOthersTokens()
    {
        var user = Guid.NewGuid().ToString();
        await layer.Cloud.RunAsync(DeployLayer.Command, "--env-file", ".env", "up", "-d", "--scale", "app=2");
        try
        {
            await layer.Cloud.WaitUntilHealthyAsync(DeployLayer.Healthy);
            var containers = await layer.Cloud.ContainersAsync();
            var replicas = await Task.WhenAll(containers.Where(c => c.Service == "app").Select(c => AddressAsync(c.ContainerId)));
            Assert.Equal(2, replicas.Length);
            var bastion = containers.Single(c => c.Service == "bastion").ContainerId;
            var session = Bastion.SessionCookie(user);

            var rendered = await WgetAsync(bastion, $"http://{replicas[0]}:8505/peregrine/", session);
            var token = WebUtility.HtmlDecode(TokenField().Match(rendered.Output).Groups[1].Value);
            var antiforgery = AntiforgeryCookie().Match(rendered.Output).Groups[1].Value;
            Assert.True(token.Length > 0 && antiforgery.Length > 0, $"no form rendered by the first replica: {ComposeProject.Tail(rendered.Output)}");
            var form = $"_handler=add-urls&__RequestVerificationToken={Uri.EscapeDataString(token)}&Urls={Uri.EscapeDataString("https://jobs.invalid/replica")}";
            var posted = await WgetAsync(bastion, $"http://{replicas[1]}:8505/peregrine/", $"{session}; {antiforgery}", form);

            Assert.True(posted.ExitCode == 0, $"the second replica refused the first one's form: {ComposeProject.Tail(posted.Output)}");
            Assert.Contains("1 new job(s) added", posted.Output, StringComparison.Ordinal);
        }
        finally
        {
            await layer.Cloud.RunAsync(DeployLayer.Command, "--env-file", ".env", "up", "-d", "--scale", "app=1");
            await layer.Cloud.WaitUntilHealthyAsync(DeployLayer.Healthy);
        }
    }

    private static async Task<string> AddressAsync(string container) =>
        (await ComposeProject.Docker(TimeSpan.FromSeconds(30), "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container)).Trim();

    /// <summary>wget in the bastion container (the official caddy image's busybox has it too): body, then the response headers (-S).</summary>
    private static Task<CommandLine.Result> WgetAsync(string container, string url, string cookie, string? form = null)
    {
        List<string> arguments = ["exec", container, "wget", "-q", "-S", "-O", "-", "--header", $"Cookie: {cookie}"];
        if (form is not null)
        {
            arguments.AddRange(["--post-data", form]);
        }

        return CommandLine.RunAsync("docker", [.. arguments, url], "/", DeployLayer.Command);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex(@"Set-Cookie: (\.AspNetCore\.Antiforgery\.[^=]+=[^;\s]+)", RegexOptions.IgnoreCase)]
    private static partial Regex AntiforgeryCookie();
}
