#pragma warning disable ASPIREPIPELINES001 // The pipeline API is experimental in Aspire 13.6; this file is its only user.
using System.Text.Json;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Peregrine.AppHost.Publishing;

/// <summary>
/// The publish step that writes everything an operator deploys: the compose files, <c>.env.example</c> and the
/// bastion's config directory, laid out as in the repository (so <c>./eng/publish.sh</c> only copies them over).
/// <c>Aspire.Hosting.Docker</c> is not served here, so this converts the manifest that <c>publish-manifest</c> wrote.
/// </summary>
public static class ComposePublishingStep
{
    public const string StepName = "publish-compose";

    public static IDistributedApplicationBuilder AddComposePublishing(this IDistributedApplicationBuilder builder, string repositoryRoot)
    {
        builder.Pipeline.AddStep(StepName, async context =>
        {
            var outputPath = context.Services.GetRequiredService<IConfiguration>()["Pipeline:OutputPath"]
                ?? throw new InvalidOperationException($"{StepName} needs an output folder: --output-path <dir>");
            var outputDirectory = Path.GetFullPath(outputPath);
            using var manifest = JsonDocument.Parse(
                await File.ReadAllTextAsync(Path.Combine(outputDirectory, "aspire-manifest.json"), context.CancellationToken));

            var model = ComposeModelReader.Read(context.Model, repositoryRoot);
            var files = ComposeConverter.Convert(manifest.RootElement.GetProperty("resources"), model)
                .Concat(context.Model.Resources
                    .SelectMany(resource => resource.Annotations.OfType<GeneratedFilesAnnotation>())
                    .SelectMany(annotation => annotation.ContentByRepositoryPath));
            foreach (var (relativePath, content) in files)
            {
                // .env holds the operator's secrets; publish only ever writes .env.example beside it.
                if (Path.GetFileName(relativePath) == ".env")
                {
                    throw new InvalidOperationException("publish must never write .env");
                }

                var path = Path.Combine(outputDirectory, relativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, content, context.CancellationToken);
                context.Logger.LogInformation("Wrote {Path}", path);
            }
        }, dependsOn: "publish-manifest", requiredBy: WellKnownPipelineSteps.Publish);
        return builder;
    }
}
