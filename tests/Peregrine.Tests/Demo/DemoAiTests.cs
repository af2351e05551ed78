using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Llm;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Llm;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>
/// The demo host refuses AI before any I/O: one listening loopback server stands in for every backend a config could
/// name (platform file, environment, the visitor's own llm.yaml), and it never sees a connection.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class DemoAiTests
{
    [Fact]
    public async Task CoverLetterGenerationInTheDemoFailsWithTheRefusalAndReachesNoBackend()
    {
        await using var backend = await FakeLlmServer.StartAsync();
        await using var demo = new DemoFactory();
        var platformYaml = Path.Combine(demo.Root, "platform-llm.yaml");
        await File.WriteAllTextAsync(platformYaml, EveryBackendAt(backend));
        demo.Configure("Llm:ConfigPath", platformYaml)
            .Configure("Llm:BaseUrl", backend.OpenAiBase)
            .Configure("Llm:Model", "llama3.1:8b")
            .Configure("TEST_DEMO_ANTHROPIC_KEY", "sk-ant-demo");
        using var visitor = demo.CreateVisitor();
        var config = Path.Combine(demo.SandboxesDirectory, await VisitorIdAsync(visitor), "config", "llm.yaml");
        await File.WriteAllTextAsync(config, EveryBackendAt(backend));
        var job = (await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/jobs?status=pending&limit=1"))[0].GetProperty("id").GetInt64();

        using var generate = await visitor.PostAsync($"{App}/api/jobs/{job}/cover_letter/generate", null);
        var task = await AiApi.WaitForTaskAsync(visitor, $"{App}/api/jobs/{job}/cover_letter/task");
        using var suggest = await visitor.PostAsJsonAsync($"{App}/api/jobs/{job}/qa/suggest", new { question = "Why us?" });

        Assert.Equal(HttpStatusCode.OK, generate.StatusCode);
        Assert.Equal(("failed", "AI inference is disabled in the public demo. Run your own instance to use AI features."), task);
        Assert.Equal("application/problem+json", suggest.Content.Headers.ContentType?.MediaType);
        Assert.Contains(AiDisabledInDemoException.Text, (await suggest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, backend.AcceptedConnections);
        Assert.Empty(backend.HealthProbes);
    }

    private static string EveryBackendAt(FakeLlmServer backend) => $"""
        backends:
          ollama:
            type: openai_compat
            base_url: {backend.OpenAiBase}
            model: llama3.2:3b
          vllm:
            type: openai_compat
            base_url: {backend.OpenAiBase}
            model: __auto__
          anthropic:
            type: anthropic
            base_url: {backend.Root.AbsoluteUri.TrimEnd('/')}
            api_key_env: TEST_DEMO_ANTHROPIC_KEY
            model: claude
          vision_service:
            type: vision_service
            base_url: {backend.OpenAiBase}
        fallback_order: [ollama, vllm, anthropic]
        research_fallback_order: [vllm, ollama, anthropic]
        vision_fallback_order: [vision_service, anthropic]
        """;
}
