using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment;

/// <summary>The images cannot be built here (no Docker engine), so at least every file they copy must exist.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class DockerfileTests
{
    public static TheoryData<string> Dockerfiles => ["src/Peregrine.Api/Dockerfile", "src/Peregrine.Demo/Dockerfile"];

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void EverythingTheDockerfileCopiesExistsInTheRepository(string dockerfile)
    {
        var sources = CopySources(File.ReadAllLines(Repository.Path(dockerfile))).ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, source => Assert.True(
            File.Exists(Repository.Path(source)) || Directory.Exists(Repository.Path(source)), $"{dockerfile} copies missing {source}"));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void ImageRunsAsNonRootWithAHealthCheck(string dockerfile)
    {
        var lines = File.ReadAllLines(Repository.Path(dockerfile));
        var runtime = lines.SkipWhile(line => !line.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal)).ToList();

        Assert.Contains(runtime, line => line.StartsWith("USER $APP_UID", StringComparison.Ordinal));
        Assert.Contains(runtime, line => line.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        Assert.Contains(runtime, line => line.Contains("/health", StringComparison.Ordinal));
    }

    /// <summary>Sources of COPY instructions that read the build context (not <c>--from=</c> another stage).</summary>
    private static IEnumerable<string> CopySources(IEnumerable<string> lines)
    {
        foreach (var line in lines.Select(line => line.Trim()))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is not ["COPY", ..] || words.Any(word => word.StartsWith("--from=", StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (var source in words[1..^1].Where(word => !word.StartsWith("--", StringComparison.Ordinal)))
            {
                yield return source.TrimEnd('/');
            }
        }
    }
}
