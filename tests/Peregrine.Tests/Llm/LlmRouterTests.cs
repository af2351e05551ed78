using System.Diagnostics;
using Microsoft.Extensions.AI;
using Peregrine.Llm;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Llm;

/// <summary>The router against loopback servers speaking the OpenAI and Anthropic wire formats, through the real SDKs.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class LlmRouterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static string Backend(string name, FakeLlmServer server, string extra = "") => $"""
          {name}:
            type: openai_compat
            base_url: {server.OpenAiBase}
            model: fake-model
            timeout_s: 2
        {extra}
        """;

    private static (RouterHarness Harness, Peregrine.Sessions.UserContext User) Local(string yaml)
    {
        var harness = new RouterHarness();
        var path = harness.WriteConfig("llm.yaml", yaml);
        harness = new RouterHarness(new Dictionary<string, string?> { ["Llm:ConfigPath"] = path });
        return (harness, harness.User());
    }

    [Fact]
    public async Task TheFirstHealthyBackendOfTheChainAnswersAndTheRestAreNotCalled()
    {
        await using var first = await FakeLlmServer.StartAsync();
        await using var second = await FakeLlmServer.StartAsync();
        first.Reply = _ => "from first";
        second.Reply = _ => "from second";
        var (harness, user) = Local($"""
            backends:
            {Backend("first", first)}
            {Backend("second", second)}
            fallback_order: [first, second]
            """);
        using var _ = harness;

        var answer = await harness.Router.CompleteAsync(user, LlmChain.General, "be brief", "hello", CancellationToken.None).WaitAsync(Bound);

        Assert.Equal("from first", answer);
        Assert.Single(first.Requests);
        Assert.Empty(second.Requests);
        Assert.Equal("be brief", first.Requests.Single()["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task DisabledBackendsAreSkippedAndTheResearchChainIsItsOwn()
    {
        await using var general = await FakeLlmServer.StartAsync();
        await using var research = await FakeLlmServer.StartAsync();
        await using var disabled = await FakeLlmServer.StartAsync();
        general.Reply = _ => "general";
        research.Reply = _ => "research";
        var (harness, user) = Local($"""
            backends:
            {Backend("off", disabled, "    enabled: false")}
            {Backend("general", general)}
            {Backend("research", research)}
            fallback_order: [off, general]
            research_fallback_order: [off, research]
            """);
        using var _ = harness;

        Assert.Equal("general", await harness.Router.CompleteAsync(user, LlmChain.General, null, "q", CancellationToken.None).WaitAsync(Bound));
        Assert.Equal("research", await harness.Router.CompleteAsync(user, LlmChain.Research, null, "q", CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(0, disabled.AcceptedConnections);
    }

    [Fact]
    public async Task ADeadFirstBackendFailsOverToTheNext()
    {
        await using var alive = await FakeLlmServer.StartAsync();
        alive.Reply = _ => "alive";
        var dead = $"http://127.0.0.1:{LoopbackPort.Free()}/v1";
        var (harness, user) = Local($"""
            backends:
              dead:
                type: openai_compat
                base_url: {dead}
                model: m
            {Backend("alive", alive)}
            fallback_order: [dead, alive]
            """);
        using var _ = harness;

        var clock = Stopwatch.StartNew();
        var answer = await harness.Router.CompleteAsync(user, LlmChain.General, null, "q", CancellationToken.None).WaitAsync(Bound);

        Assert.Equal("alive", answer);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"failover took {clock.Elapsed}");
        Assert.Contains(harness.Log.Lines, line => line.Contains("'dead' skipped: health check failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailingAndAHungBackendFailOverWithinTheirTimeLimit()
    {
        await using var failing = await FakeLlmServer.StartAsync();
        await using var hung = await FakeLlmServer.StartAsync();
        await using var alive = await FakeLlmServer.StartAsync();
        failing.Behaviour = FakeBehaviour.Fail;
        hung.Behaviour = FakeBehaviour.Hang;
        alive.Reply = _ => "alive";
        var (harness, user) = Local($"""
            backends:
            {Backend("failing", failing)}
            {Backend("hung", hung)}
            {Backend("alive", alive)}
            fallback_order: [failing, hung, alive]
            """);
        using var _ = harness;

        var clock = Stopwatch.StartNew();
        var answer = await harness.Router.CompleteAsync(user, LlmChain.General, null, "q", CancellationToken.None).WaitAsync(Bound);

        Assert.Equal("alive", answer);
        Assert.Single(failing.Requests);
        Assert.Single(hung.Requests);
        // The hung backend has timeout_s: 2; the chain moved on after it rather than waiting on the SDK's default.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
        Assert.Contains(harness.Log.Lines, line => line.Contains("'hung' failed", StringComparison.Ordinal) && line.Contains("TimeoutException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhenEveryBackendFailsTheCallerGetsOnlyTheExhaustedMessageAndTheLogSaysWhy()
    {
        await using var failing = await FakeLlmServer.StartAsync();
        failing.Behaviour = FakeBehaviour.Fail;
        var (harness, user) = Local($"""
            backends:
            {Backend("failing", failing)}
              keyless:
                type: anthropic
                api_key_env: PEREGRINE_TEST_NO_SUCH_KEY
                model: claude
            fallback_order: [failing, keyless, missing]
            """);
        using var _ = harness;

        var error = await Assert.ThrowsAsync<LlmBackendsExhaustedException>(
            () => harness.Router.CompleteAsync(user, LlmChain.General, null, "q", CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("All LLM backends exhausted", error.Message);
        Assert.Null(error.InnerException);
        Assert.Contains(harness.Log.Lines, line => line.Contains("'failing' failed", StringComparison.Ordinal));
        Assert.Contains(harness.Log.Lines, line => line.Contains("'keyless' skipped: no API key", StringComparison.Ordinal));
        Assert.Contains(harness.Log.Lines, line => line.Contains("'missing' skipped: not in backends", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StreamingArrivesOverSseAndAFailureAfterTheFirstChunkDoesNotFailOver()
    {
        await using var streaming = await FakeLlmServer.StartAsync();
        await using var second = await FakeLlmServer.StartAsync();
        streaming.Reply = _ => "one two three four five six seven";
        var (harness, user) = Local($"""
            backends:
            {Backend("streaming", streaming)}
            {Backend("second", second)}
            fallback_order: [streaming, second]
            """);
        using var _ = harness;
        var client = harness.Router.ChatClient(user, LlmChain.General);

        var text = string.Concat(await client.GetStreamingResponseAsync("hi").Select(u => u.Text).ToListAsync().AsTask().WaitAsync(Bound));
        Assert.Equal("one two three four five six seven", text);
        Assert.True(streaming.Requests.Single()["stream"]!.GetValue<bool>());

        streaming.Behaviour = FakeBehaviour.AbortAfterFirstChunk;
        var seen = new List<string>();
        var failure = await Record.ExceptionAsync(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi").WithCancellation(new CancellationTokenSource(Bound).Token))
            {
                seen.Add(update.Text);
            }
        });

        Assert.True(failure is not null, $"no failure; seen [{string.Join("|", seen)}], second called {second.Requests.Count}");
        Assert.Contains("first words ", seen);
        Assert.Empty(second.Requests);
    }

    [Fact]
    public async Task AnthropicAnswersThroughTheOfficialSdkWithTheKeyFromItsVariable()
    {
        await using var anthropic = await FakeLlmServer.StartAsync();
        anthropic.Reply = prompt => "claude says " + prompt;
        var config = new RouterHarness();
        var path = config.WriteConfig("llm.yaml", $"""
            backends:
              anthropic:
                type: anthropic
                base_url: {anthropic.Root.AbsoluteUri.TrimEnd('/')}
                api_key_env: TEST_ANTHROPIC_KEY
                model: claude-haiku-4-5-20251001
            fallback_order: [anthropic]
            """);
        using var _ = config;
        using var harness = new RouterHarness(new Dictionary<string, string?> { ["Llm:ConfigPath"] = path, ["TEST_ANTHROPIC_KEY"] = "sk-ant-test" });
        var user = harness.User();

        var answer = await harness.Router.CompleteAsync(user, LlmChain.General, "system text", "hello", CancellationToken.None).WaitAsync(Bound);
        var streamed = string.Concat(await harness.Router.ChatClient(user, LlmChain.General).GetStreamingResponseAsync("again")
            .Select(u => u.Text).ToListAsync().AsTask().WaitAsync(Bound));

        Assert.Equal("claude says hello", answer);
        Assert.Equal("claude says again", streamed);
        var request = anthropic.Requests.First();
        Assert.Equal("claude-haiku-4-5-20251001", request["model"]!.GetValue<string>());
        Assert.Equal(4096, request["max_tokens"]!.GetValue<int>());
        Assert.Contains("system text", request["system"]!.ToJsonString(), StringComparison.Ordinal);
        var headers = anthropic.RequestHeaders.First();
        Assert.Contains("sk-ant-test", headers.GetValueOrDefault("x-api-key") + headers.GetValueOrDefault("authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnImageRequestSkipsBackendsThatDoNotTakeImages()
    {
        await using var textOnly = await FakeLlmServer.StartAsync();
        await using var vision = await FakeLlmServer.StartAsync();
        vision.Reply = _ => "I see a screenshot";
        var (harness, user) = Local($"""
            backends:
            {Backend("text", textOnly)}
            {Backend("vision", vision, "    supports_images: true")}
            fallback_order: [text, vision]
            vision_fallback_order: [text, vision]
            """);
        using var _ = harness;
        var png = new DataContent(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, "image/png");

        var answer = await harness.Router.CompleteAsync(user, LlmChain.Vision, null, "what is this?", CancellationToken.None, [png]).WaitAsync(Bound);

        Assert.Equal("I see a screenshot", answer);
        Assert.Equal(0, textOnly.AcceptedConnections);
        Assert.Contains("data:image/png;base64,iVBORw==", vision.Requests.Single().ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthPathIsProbedBelowTheServerRootAndItsAnswerIsRemembered()
    {
        await using var vllm = await FakeLlmServer.StartAsync();
        var (harness, user) = Local($"""
            backends:
            {Backend("vllm", vllm, "    health_path: /health")}
            fallback_order: [vllm]
            """);
        using var _ = harness;

        for (var i = 0; i < 3; i++)
        {
            await harness.Router.CompleteAsync(user, LlmChain.General, null, "q", CancellationToken.None).WaitAsync(Bound);
        }

        Assert.Equal(["/health"], vllm.HealthProbes);
        Assert.Equal(3, vllm.Requests.Count);
    }
}
