using Peregrine.Tests.Infrastructure;

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

        foreach (var secret in new[] { "DIRECTUS_JWT_SECRET", "CF_SERVER_SECRET", "PLATFORMDB_PASSWORD" })
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
                ["PLATFORMDB_PASSWORD"] = "check",
                ["LLM_API_KEY"] = "check",
            });

        Assert.True(result.ExitCode == 0, $"docker-compose config rejected {composeFile}: {result}");
    }

    [Fact]
    public async Task CloudComposeRefusesToStartWithoutTheSecrets()
    {
        var result = await CommandLine.RunAsync(
            "docker-compose", ["--file", "compose.cloud.yml", "config", "--quiet"], fixture.Publish.OutputDirectory, TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["DIRECTUS_JWT_SECRET"] = string.Empty, ["CF_SERVER_SECRET"] = string.Empty, ["PLATFORMDB_PASSWORD"] = string.Empty });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("in .env", result.Output, StringComparison.Ordinal);
    }
}
