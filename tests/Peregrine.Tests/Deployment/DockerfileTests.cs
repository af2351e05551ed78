using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Peregrine.AppHost.Publishing;
using Peregrine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Tests.Deployment;

/// <summary>
/// Every deployable project is built by the one Dockerfile, chosen by its <c>PROJECT</c> argument. These check what can
/// be checked without an engine, in seconds, and run its entry point for real; the deploy layer builds it.
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
    public void EveryProjectTheDeployablesReferenceIsCopiedIntoTheBuild()
    {
        var build = DockerfileText.Load().StageFrom("mcr.microsoft.com/dotnet/sdk:10.0");
        var copied = build.ArgumentsOf("COPY").Select(arguments => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).ToHashSet(StringComparer.Ordinal);

        foreach (var project in ComposeBuilds().Select(b => b.Project).Distinct().SelectMany(ReferencedProjects).Distinct())
        {
            Assert.Contains($"src/{project}/{project}.csproj", copied);
            Assert.Contains($"src/{project}/", copied);
        }
    }

    [Fact]
    public void BaseImagesAreBuildArgumentsDefaultingToTheOfficialImagesAndComposePassesThem()
    {
        var dockerfile = DockerfileText.Load();

        Assert.Equal(
            ComposeConverter.BaseImages.ToDictionary(image => image.Name, image => image.DefaultValue!),
            dockerfile.GlobalArguments);
        Assert.Equal(
            ["mcr.microsoft.com/dotnet/sdk:10.0 AS build", "node:22-bookworm AS engine", "mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime"],
            dockerfile.Stages.Select(stage => stage.From));
        foreach (var composeFile in new[] { "compose.cloud.yml", "compose.demo.yml" })
        {
            var text = File.ReadAllText(Repository.Path(composeFile));
            Assert.All(ComposeConverter.BaseImages, image => Assert.Contains($"{image.Name}: {image.Reference}", text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TheProjectArgumentChoosesWhatIsBuiltAndWhatRuns()
    {
        var dockerfile = DockerfileText.Load();
        var runtime = dockerfile.StageFrom("mcr.microsoft.com/dotnet/aspnet:10.0");

        Assert.Contains(runtime.ArgumentsOf("COPY"), copy => copy.StartsWith("--from=build", StringComparison.Ordinal) && DockerfileText.Uses(copy, ProjectArgument));
        Assert.Contains(runtime.ArgumentsOf("RUN"), run => run.StartsWith("ln -s", StringComparison.Ordinal) && DockerfileText.Uses(run, ProjectArgument));
        // Only the last stage reads PROJECT, so the build and engine stages are one cached build for every image.
        Assert.All(dockerfile.Stages.SkipLast(1), stage => Assert.DoesNotContain(
            stage.Instructions, instruction => DockerfileText.Uses(instruction.Arguments, ProjectArgument) || instruction.Arguments.Split('=')[0] == ProjectArgument));
        // An ARG is scoped to its stage: a stage that uses PROJECT without declaring it would see an empty string.
        Assert.Contains(ProjectArgument, runtime.ArgumentsOf("ARG"));
        var hardCodedAssemblies = ComposeBuilds().Select(b => b.Project).Distinct().Select(project => $"{project}.dll");
        Assert.All(runtime.Instructions, instruction => Assert.DoesNotContain(
            hardCodedAssemblies, path => instruction.Arguments.Contains(path, StringComparison.Ordinal)));
    }

    [Fact]
    public void ImageRunsAsNonRootWithTheEngineAndAHealthCheck()
    {
        var runtime = DockerfileText.Load().StageFrom("mcr.microsoft.com/dotnet/aspnet:10.0");

        Assert.Equal(["$APP_UID"], runtime.ArgumentsOf("USER"));
        Assert.Contains(runtime.ArgumentsOf("COPY"), copy => copy.StartsWith("--from=engine /engine/libsqlite3mc.so", StringComparison.Ordinal));
        Assert.Contains(runtime.ArgumentsOf("ENV").SelectMany(DockerfileText.EnvironmentOf), env => env is { Key: "PEREGRINE_SQLITE_LIB", Value: "/app/libsqlite3mc.so" });
        // The app probes itself: no HTTP client in the runtime image.
        Assert.Contains(runtime.ArgumentsOf("HEALTHCHECK"), check => check.EndsWith($"\"{HealthProbe.Verb}\"]", StringComparison.Ordinal));
        Assert.DoesNotContain(runtime.ArgumentsOf("RUN"), run => run.Contains("curl", StringComparison.Ordinal) || run.Contains("wget", StringComparison.Ordinal));
    }

    /// <summary>
    /// The scheduled backup service runs this image: restic and the Postgres 15 client are installed once, before
    /// <c>PROJECT</c> is read, so the layer is shared by every image built from the file.
    /// </summary>
    [Fact]
    public void TheRuntimeHasResticAndThePostgres15ClientInALayerEveryImageShares()
    {
        var runtime = DockerfileText.Load().StageFrom("mcr.microsoft.com/dotnet/aspnet:10.0");
        var instructions = runtime.Instructions.ToList();

        var install = instructions.FindIndex(instruction => instruction.Keyword == "RUN" && instruction.Arguments.Contains("apt-get install", StringComparison.Ordinal));
        Assert.True(install >= 0, "no apt-get install in the runtime stage");
        Assert.Contains(" restic ", instructions[install].Arguments + " ", StringComparison.Ordinal);
        Assert.Contains(" postgresql-client-15 ", instructions[install].Arguments + " ", StringComparison.Ordinal);
        Assert.Contains("rm -rf /var/lib/apt/lists/*", instructions[install].Arguments, StringComparison.Ordinal);
        Assert.True(install < instructions.FindIndex(instruction => instruction.Keyword == "ARG" && instruction.Arguments == ProjectArgument));
    }

    /// <summary>
    /// Runs the runtime stage's ENTRYPOINT as written, with /app standing for a folder where the stage's launcher link
    /// points at this test's build of the Api, and passes it an operator command: the project's assembly must start
    /// and see the command's arguments. The health check runs the same launcher.
    /// </summary>
    [Fact]
    public async Task TheEntryPointRunsTheProjectsAssemblyWithTheContainersArguments()
    {
        var runtime = DockerfileText.Load().StageFrom("mcr.microsoft.com/dotnet/aspnet:10.0");
        var entryPoint = JsonSerializer.Deserialize<string[]>(runtime.ArgumentsOf("ENTRYPOINT").Single())!;
        Assert.Contains(runtime.ArgumentsOf("RUN"), run => run == $"ln -s \"${ProjectArgument}\" {entryPoint[0]}");
        using var app = new TestDirectory("peregrine-entrypoint");
        var launcher = entryPoint[0].Replace("/app/", app.Path + "/", StringComparison.Ordinal);
        File.CreateSymbolicLink(launcher, Path.Combine(AppContext.BaseDirectory, "Peregrine.Api"));

        var result = await CommandLine.RunAsync(
            launcher, [.. entryPoint[1..], "erase-user", "not-a-user-id"], app.Path, TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 2, $"expected the erase-user usage error: {result}");
        Assert.Contains("usage: Peregrine.Api erase-user", result.Output, StringComparison.Ordinal);
        Assert.Equal([entryPoint[0], HealthProbe.Verb], JsonSerializer.Deserialize<string[]>(runtime.ArgumentsOf("HEALTHCHECK").Single().Split(" CMD ")[1])!);
    }

    /// <summary>The project and every project it references, transitively, by name (as in src/&lt;name&gt;/&lt;name&gt;.csproj).</summary>
    private static IEnumerable<string> ReferencedProjects(string project)
    {
        var path = Repository.Path($"src/{project}/{project}.csproj");
        var references = System.Xml.Linq.XDocument.Load(path).Descendants("ProjectReference")
            .Select(reference => Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value.Replace('\\', '/')));
        return references.SelectMany(ReferencedProjects).Prepend(project);
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
