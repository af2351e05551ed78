using System.Text.Json;
using Peregrine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Tests.Deployment;

/// <summary>
/// Every deployable project is built by the one Dockerfile, chosen by its <c>PROJECT</c> argument. The image cannot be
/// built here (no Docker engine), so these check what can be checked without one, and run its entry point for real.
/// </summary>
[Trait(Category.Name, Category.Unit)]
public sealed class DockerfileTests
{
    private const string ProjectArgument = "PROJECT";

    public sealed record ComposeBuild(string Service, string Context, string Dockerfile, string Project);

    /// <summary>What the committed compose files build (they equal the model: <see cref="CommittedManifestsTests"/>).</summary>
    public static TheoryData<string> BuiltProjects => [.. ComposeBuilds().Select(build => build.Project).Distinct()];

    [Fact]
    public void ComposeBuildsEveryProjectFromTheOneDockerfileAtTheRepositoryRoot()
    {
        var builds = ComposeBuilds().ToList();

        Assert.Equal(["Peregrine.Api", "Peregrine.Demo"], builds.Select(build => build.Project).Distinct().Order());
        Assert.All(builds, build =>
        {
            Assert.Equal(".", build.Context);
            Assert.Equal(DockerfileText.RepositoryPath, build.Dockerfile);
        });
        Assert.True(File.Exists(Repository.Path(DockerfileText.RepositoryPath)));
        Assert.Empty(Directory.GetFiles(Repository.Path("src"), "Dockerfile", SearchOption.AllDirectories));
    }

    [Theory]
    [MemberData(nameof(BuiltProjects))]
    public void EverythingTheDockerfileCopiesExistsForTheProject(string project)
    {
        var sources = DockerfileText.Load().Stages
            .SelectMany(stage => stage.ArgumentsOf("COPY"))
            .Select(arguments => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(words => !words.Any(word => word.StartsWith("--from=", StringComparison.Ordinal)))
            .SelectMany(words => words[..^1].Where(word => !word.StartsWith("--", StringComparison.Ordinal)))
            .Select(source => DockerfileText.Expand(source, ProjectArgument, project).TrimEnd('/'))
            .ToList();

        Assert.Contains($"src/{project}", sources);
        Assert.True(File.Exists(Repository.Path($"src/{project}/{project}.csproj")), $"no src/{project}/{project}.csproj to publish");
        Assert.All(sources, source => Assert.True(
            File.Exists(Repository.Path(source)) || Directory.Exists(Repository.Path(source)), $"the Dockerfile copies missing {source}"));
    }

    [Fact]
    public void TheProjectArgumentChoosesWhatIsBuiltAndWhatRuns()
    {
        var dockerfile = DockerfileText.Load();
        var build = dockerfile.StageFrom("mcr.microsoft.com/dotnet/sdk:10.0");
        var runtime = dockerfile.StageFrom("mcr.microsoft.com/dotnet/aspnet:10.0");

        Assert.Contains(build.ArgumentsOf("RUN"), run => run.Contains("dotnet publish", StringComparison.Ordinal) && DockerfileText.Uses(run, ProjectArgument));
        Assert.Contains(runtime.ArgumentsOf("ENV"), env => DockerfileText.Uses(env, ProjectArgument));
        // An ARG is scoped to its stage: a stage that uses PROJECT without declaring it would see an empty string.
        Assert.All(dockerfile.Stages.Where(stage => stage.Instructions.Any(i => i.Keyword != "ARG" && DockerfileText.Uses(i.Arguments, ProjectArgument))),
            stage => Assert.Contains(ProjectArgument, stage.ArgumentsOf("ARG")));
        var hardCodedProjectPaths = ComposeBuilds().Select(b => b.Project).Distinct().SelectMany(project => new[] { $"{project}/", $"{project}.csproj", $"{project}.dll" });
        Assert.All(dockerfile.Stages.SelectMany(stage => stage.Instructions), instruction => Assert.DoesNotContain(
            hardCodedProjectPaths, path => instruction.Arguments.Contains(path, StringComparison.Ordinal)));
    }

    [Fact]
    public void ImageRunsAsNonRootWithTheEngineAndAHealthCheck()
    {
        var runtime = DockerfileText.Load().StageFrom("mcr.microsoft.com/dotnet/aspnet:10.0");

        Assert.Equal(["$APP_UID"], runtime.ArgumentsOf("USER"));
        Assert.Contains(runtime.ArgumentsOf("COPY"), copy => copy.StartsWith("--from=engine /engine/libsqlite3mc.so", StringComparison.Ordinal));
        Assert.Contains(runtime.ArgumentsOf("ENV").SelectMany(DockerfileText.EnvironmentOf), env => env is { Key: "PEREGRINE_SQLITE_LIB", Value: "/app/libsqlite3mc.so" });
        Assert.Contains(runtime.ArgumentsOf("HEALTHCHECK"), check => check.Contains("/health", StringComparison.Ordinal));
    }

    /// <summary>
    /// Runs the runtime stage's ENTRYPOINT as written, with /app standing for this test's output folder, and passes it
    /// an operator command: the project's assembly must start and see the command's arguments.
    /// </summary>
    [Fact]
    public async Task TheEntryPointRunsTheProjectsAssemblyWithTheContainersArguments()
    {
        var runtime = DockerfileText.Load().StageFrom("mcr.microsoft.com/dotnet/aspnet:10.0");
        var entryPoint = JsonSerializer.Deserialize<string[]>(runtime.ArgumentsOf("ENTRYPOINT").Single())!;
        var environment = runtime.ArgumentsOf("ENV").SelectMany(DockerfileText.EnvironmentOf).ToDictionary(
            env => env.Key,
            env => DockerfileText.Expand(env.Value, ProjectArgument, "Peregrine.Api").Replace("/app/", AppContext.BaseDirectory, StringComparison.Ordinal));

        var result = await CommandLine.RunAsync(
            entryPoint[0], [.. entryPoint[1..], "erase-user", "not-a-user-id"], AppContext.BaseDirectory, TimeSpan.FromSeconds(30), environment);

        Assert.True(result.ExitCode == 2, $"expected the erase-user usage error: {result}");
        Assert.Contains("usage: Peregrine.Api erase-user", result.Output, StringComparison.Ordinal);
    }

    private static IEnumerable<ComposeBuild> ComposeBuilds()
    {
        foreach (var composeFile in new[] { "compose.cloud.yml", "compose.demo.yml" })
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(File.ReadAllText(Repository.Path(composeFile))));
            var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
            foreach (var (name, service) in services.Children.Select(child => (child.Key.ToString(), (YamlMappingNode)child.Value)))
            {
                if (service.Children.TryGetValue("build", out var node) && node is YamlMappingNode build)
                {
                    yield return new ComposeBuild(
                        name, build["context"].ToString(), build["dockerfile"].ToString(), ((YamlMappingNode)build["args"])[ProjectArgument].ToString());
                }
            }
        }
    }
}
