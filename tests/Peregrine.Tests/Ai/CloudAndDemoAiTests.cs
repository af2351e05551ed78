using System.Net;
using System.Net.Http.Json;
using Peregrine.Llm;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Llm;

namespace Peregrine.Tests.Ai;

/// <summary>Who owns the LLM config in cloud, and the demo's refusal: checked by counting connections to real listeners.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class CloudAndDemoAiTests
{
    [Fact]
    public async Task InCloudAUsersLlmYamlIsIgnoredAndAnthropicInThePlatformFileIsInNoChain()
    {
        await using var platform = await FakeLlmServer.StartAsync();
        await using var personal = await FakeLlmServer.StartAsync();
        await using var anthropic = await FakeLlmServer.StartAsync();
        platform.Reply = _ => "platform answer";
        var platformYaml = AiApi.PlatformConfig(platform, chain: "[anthropic, platform]", extraBackends: $"""
              anthropic:
                type: anthropic
                base_url: {anthropic.Root.AbsoluteUri.TrimEnd('/')}
                api_key_env: TEST_PLATFORM_ANTHROPIC_KEY
                model: claude
            """);
        await using var api = await AiApi.StartAsync(platformYaml, settings: ("TEST_PLATFORM_ANTHROPIC_KEY", "sk-ant-platform"));
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);
        var job = await AiApi.CreateJobAsync(client, "Engineer", "Acme");
        File.WriteAllText(Path.Combine(api.UserDirectory(user), "config", "llm.yaml"), $"""
            backends:
              mine:
                type: openai_compat
                base_url: {personal.OpenAiBase}
                model: my-fine-tune
            fallback_order: [mine]
            """);

        var response = await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/qa/suggest", new { question = "Why us?" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("platform answer", (await response.JsonAsync()).GetProperty("answer").GetString());
        Assert.Equal(0, personal.AcceptedConnections);
        Assert.Equal(0, anthropic.AcceptedConnections);
    }

    [Fact]
    public async Task TheDemoRefusesEveryAiPathWithoutConnectingToAnyBackend()
    {
        await using var backend = await FakeLlmServer.StartAsync();
        await using var api = await AiApi.StartAsync(AiApi.PlatformConfig(backend), settings: ("DEMO_MODE", "true"));
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);
        var job = await AiApi.CreateJobAsync(client, "Engineer", "Acme");

        var suggest = await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/qa/suggest", new { question = "Why us?" });
        var letter = await client.PostAsync($"/peregrine/api/jobs/{job}/cover_letter/generate", null);
        var research = await client.PostAsync($"/peregrine/api/jobs/{job}/research/generate", null);
        var letterTask = await AiApi.WaitForTaskAsync(client, $"/peregrine/api/jobs/{job}/cover_letter/task");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, suggest.StatusCode);
        Assert.Equal("application/problem+json", suggest.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"LLM generation failed: {AiDisabledInDemoException.Text}", (await suggest.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, letter.StatusCode);
        // The tier gate answers before AI: this host has no simulated tier, so its users are free (DemoTierGateTests has the demo's).
        Assert.Equal(HttpStatusCode.Forbidden, research.StatusCode);
        Assert.Equal(("failed", AiDisabledInDemoException.Text), letterTask);
        Assert.Equal("AI inference is disabled in the public demo. Run your own instance to use AI features.", AiDisabledInDemoException.Text);
        Assert.Equal(0, backend.AcceptedConnections);
    }

    [Fact]
    public async Task ACloudInstanceWithoutAnLlmSaysAiIsNotConfigured()
    {
        // No platform llm.yaml and no Llm__BaseUrl: what a deployment whose .env sets no LLM variable runs with.
        await using var api = new PeregrineApiFactory();
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);
        var job = await AiApi.CreateJobAsync(client, "Engineer", "Acme");

        var suggest = await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/qa/suggest", new { question = "Why us?" });
        var letter = await client.PostAsync($"/peregrine/api/jobs/{job}/cover_letter/generate", null);
        var letterTask = await AiApi.WaitForTaskAsync(client, $"/peregrine/api/jobs/{job}/cover_letter/task");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, suggest.StatusCode);
        Assert.Equal("LLM generation failed: AI is not configured on this instance", (await suggest.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, letter.StatusCode);
        Assert.Equal(("failed", "AI is not configured on this instance"), letterTask);
    }
}
