using Peregrine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Tests.Deployment;

/// <summary>The deployment files in the repository are exactly what the AppHost model generates, and compose accepts them.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class CommittedManifestsTests(CommittedModelPublish fixture) : IClassFixture<CommittedModelPublish>
{
    public static TheoryData<string> CommittedFiles => [.. AppHostPublish.CommittedFiles];

    public static TheoryData<string> ComposeFiles => ["compose.cloud.yml", "compose.demo.yml"];

    [Theory]
    [MemberData(nameof(CommittedFiles))]
    public void CommittedFileEqualsWhatTheModelGenerates(string relativePath)
    {
        var committed = File.ReadAllText(Repository.Path(relativePath));
        var generated = fixture.Publish.Read(relativePath);

        Assert.True(
            committed == generated,
            $"{relativePath} differs from the AppHost model; run ./eng/publish.sh and commit.\n"
            + $"(- committed, + generated)\n{TextDiff.Describe(committed, generated)}");
    }

    [Fact]
    public void PublishNeverOverwritesAnExistingEnvFile()
    {
        Assert.Equal(AppHostPublish.OperatorEnv, fixture.Publish.Read(".env"));
    }

    [Fact]
    public void EnvExampleNamesEverySecretWithoutAValue()
    {
        var lines = fixture.Publish.Read(".env.example").Split('\n');

        foreach (var secret in new[] { "DIRECTUS_JWT_SECRET", "CF_SERVER_SECRET", "PLATFORM_DB_PASSWORD" })
        {
            Assert.Contains($"{secret}=", lines);
        }
    }

    [Theory]
    [MemberData(nameof(ComposeFiles))]
    public async Task DockerComposeAcceptsTheCommittedFile(string composeFile)
    {
        var result = await CommandLine.RunAsync(
            "docker-compose",
            ["--file", composeFile, "--project-directory", Repository.Root, "config", "--quiet"],
            Repository.Root,
            TimeSpan.FromMinutes(1),
            new Dictionary<string, string>
            {
                ["DIRECTUS_JWT_SECRET"] = "check",
                ["CF_SERVER_SECRET"] = "check",
            });

        Assert.True(result.ExitCode == 0, $"docker-compose config rejected {composeFile}: {result}");
    }

    /// <summary>The runbook's required variables and nothing else: no LLM, no bundled platform DB.</summary>
    [Fact]
    public async Task DockerComposeAcceptsAnEnvWithOnlyTheRunbooksVariables()
    {
        await File.WriteAllTextAsync(fixture.Publish.OutputDirectory + "/runbook.env", """
            CLOUD_MODE=true
            CLOUD_DATA_ROOT=/devl/menagerie-data
            DIRECTUS_JWT_SECRET=from-website-env
            CF_SERVER_SECRET=generated-once
            PLATFORM_DB_URL=postgresql://cf_platform:pass@host.docker.internal:5433/circuitforge_platform
            """);

        var result = await CommandLine.RunAsync(
            "docker-compose", ["--file", "compose.cloud.yml", "--env-file", "runbook.env", "config"], fixture.Publish.OutputDirectory, TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0, $"docker-compose config rejected the runbook's .env: {result}");
        Assert.Contains("PLATFORM_DB_URL: postgresql://cf_platform:pass@host.docker.internal:5433/circuitforge_platform", result.Output, StringComparison.Ordinal);
        Assert.Contains("Llm__BaseUrl: ''", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheComposeFilesUseTheRunbooksNames()
    {
        var cloud = Services(fixture.Publish.Read("compose.cloud.yml"));
        var demo = Services(fixture.Publish.Read("compose.demo.yml"));

        Assert.Contains("app", cloud.Children.Keys.Select(key => key.ToString()));
        Assert.Contains("app", demo.Children.Keys.Select(key => key.ToString()));
        var platformDb = (YamlMappingNode)cloud["cf-platform-db"];
        Assert.Equal("cf-platform-db", platformDb["container_name"].ToString());
        Assert.Equal("cf_platform", platformDb["environment"]["POSTGRES_USER"].ToString());
        Assert.Equal("circuitforge_platform", platformDb["environment"]["POSTGRES_DB"].ToString());
        // An external PLATFORM_DB_URL needs it not to start: it runs only in its profile, and nothing depends on it.
        Assert.Equal(["platform-db"], ((YamlSequenceNode)platformDb["profiles"]).Children.Select(profile => profile.ToString()));
        Assert.Equal("${CLOUD_DATA_ROOT:-/devl/menagerie-data}:/data/cloud", ((YamlSequenceNode)cloud["app"]["volumes"]).Children.Single().ToString());
        Assert.Contains("COMPOSE_PROFILES=platform-db", fixture.Publish.Read(".env.example").Split('\n'));
    }

    [Theory]
    [MemberData(nameof(ComposeFiles))]
    public void TheAppRunsReadOnlyAsItsImagesUserAfterItsDataOwner(string composeFile)
    {
        var services = Services(fixture.Publish.Read(composeFile));
        var app = (YamlMappingNode)services["app"];

        Assert.Equal("true", app["read_only"].ToString());
        Assert.Equal(["/tmp"], ((YamlSequenceNode)app["tmpfs"]).Children.Select(path => path.ToString()));
        Assert.False(app.Children.ContainsKey("user"), "the app runs as the image's unprivileged user");
        Assert.Equal("service_completed_successfully", app["depends_on"]["app-data-owner"]["condition"].ToString());
        var owner = (YamlMappingNode)services["app-data-owner"];
        Assert.Equal(app["volumes"].ToString(), owner["volumes"].ToString());
        Assert.Equal("none", owner["network_mode"].ToString());
        Assert.Equal(["ALL"], ((YamlSequenceNode)owner["cap_drop"]).Children.Select(cap => cap.ToString()));
        Assert.Null(Services(fixture.Publish.Read(composeFile)).Children.Values.OfType<YamlMappingNode>()
            .SelectMany(service => service.Children.Keys).FirstOrDefault(key => key.ToString() == "privileged"));
    }

    private static YamlMappingNode Services(string compose)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(compose));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    [Fact]
    public async Task CloudComposeRefusesToStartWithoutTheSecrets()
    {
        var result = await CommandLine.RunAsync(
            "docker-compose", ["--file", "compose.cloud.yml", "config", "--quiet"], fixture.Publish.OutputDirectory, TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["DIRECTUS_JWT_SECRET"] = string.Empty, ["CF_SERVER_SECRET"] = string.Empty });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("in .env", result.Output, StringComparison.Ordinal);
    }
}
