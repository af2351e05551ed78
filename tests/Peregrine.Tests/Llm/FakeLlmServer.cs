using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Peregrine.DevLlm;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Llm;

public enum FakeBehaviour
{
    Answer,
    /// <summary>Accepts the request and never answers.</summary>
    Hang,
    /// <summary>HTTP 500 with an OpenAI-shaped error body.</summary>
    Fail,
    /// <summary>Streams one chunk, then drops the connection.</summary>
    AbortAfterFirstChunk,
}

/// <summary>
/// A real HTTP server on loopback (<see cref="LoopbackHttpServer"/>) speaking an LLM provider's wire format: OpenAI chat
/// completions (JSON and SSE, <c>/v1/models</c>) and Anthropic Messages (<c>/v1/messages</c>). It counts accepted TCP
/// connections and keeps every request body, so tests can say who was called, with what, and that nobody was.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    private LoopbackHttpServer _server = null!;

    public FakeBehaviour Behaviour { get; set; } = FakeBehaviour.Answer;

    public HttpStatusCode HealthStatus { get; set; } = HttpStatusCode.OK;

    /// <summary>What the fake answers, from the request's prompt text.</summary>
    public Func<string, string> Reply { get; set; } = _ => "fake reply";

    public ConcurrentQueue<JsonNode> Requests { get; } = new();

    public ConcurrentQueue<string> HealthProbes { get; } = new();

    /// <summary>Each request's headers, copied (Kestrel reuses its header objects once a request ends).</summary>
    public ConcurrentQueue<Dictionary<string, string>> RequestHeaders { get; } = new();

    public int AcceptedConnections => _server.AcceptedConnections;

    public Uri Root => _server.Address;

    /// <summary>The openai_compat <c>base_url</c>.</summary>
    public string OpenAiBase => new Uri(Root, "v1").AbsoluteUri;

    public static async Task<FakeLlmServer> StartAsync()
    {
        var fake = new FakeLlmServer();
        fake._server = await LoopbackHttpServer.StartAsync(fake.Map);
        return fake;
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/v1/models", Health);
        app.MapGet("/health", Health);
        app.MapGet("/api/version", Health);
        app.MapPost("/v1/chat/completions", ChatCompletions);
        app.MapPost("/v1/messages", AnthropicMessages);
    }

    private IResult Health(HttpContext context)
    {
        HealthProbes.Enqueue(context.Request.Path);
        return (int)HealthStatus >= 300
            ? Results.StatusCode((int)HealthStatus)
            : Results.Json(ChatCompletionsWire.Models("fake-model"));
    }

    private async Task ChatCompletions(HttpContext context)
    {
        var request = await Receive(context);
        var answer = Reply(ChatCompletionsWire.PromptText(request));
        var cancel = context.RequestAborted;
        switch (Behaviour)
        {
            case FakeBehaviour.Hang:
                await Task.Delay(Timeout.Infinite, cancel);
                return;
            case FakeBehaviour.Fail:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = new { message = "fake backend failure", type = "server_error" } }, cancel);
                return;
            case FakeBehaviour.AbortAfterFirstChunk:
                await ChatCompletionsWire.StartStreamAsync(context.Response);
                await ChatCompletionsWire.WriteChunkAsync(context.Response, "chatcmpl-x", "fake-model", "first words ", null, cancel);
                // A reset right after the write could discard the chunk before the client reads it: let it arrive first.
                await Task.Delay(500, cancel);
                context.Abort();
                return;
        }

        if (ChatCompletionsWire.WantsStream(request))
        {
            await ChatCompletionsWire.StreamAsync(context.Response, "fake-model", answer, cancel);
        }
        else
        {
            await context.Response.WriteAsJsonAsync(ChatCompletionsWire.Completion("fake-model", answer), cancel);
        }
    }

    /// <summary>Anthropic's Messages API: one <c>message</c> object, or its SSE event sequence when streaming.</summary>
    private async Task AnthropicMessages(HttpContext context)
    {
        var request = await Receive(context);
        var prompt = string.Join("\n", (request["messages"]?.AsArray() ?? []).Select(m => m?["content"] is JsonArray parts
            ? string.Concat(parts.Select(p => p?["text"]?.GetValue<string>()))
            : m?["content"]?.GetValue<string>()));
        var answer = Reply(prompt);
        var model = request["model"]?.GetValue<string>() ?? "claude";
        var usage = new { input_tokens = 1, output_tokens = 1 };
        if (request["stream"]?.GetValue<bool>() != true)
        {
            await context.Response.WriteAsJsonAsync(new
            {
                id = "msg_fake",
                type = "message",
                role = "assistant",
                model,
                content = new[] { new { type = "text", text = answer } },
                stop_reason = "end_turn",
                stop_sequence = (string?)null,
                usage,
            });
            return;
        }

        context.Response.ContentType = "text/event-stream";
        async Task Event(string name, object data)
        {
            await context.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data)}\n\n");
            await context.Response.Body.FlushAsync();
        }

        await Event("message_start", new { type = "message_start", message = new { id = "msg_fake", type = "message", role = "assistant", model, content = Array.Empty<object>(), stop_reason = (string?)null, stop_sequence = (string?)null, usage } });
        await Event("content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "text", text = "" } });
        await Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = answer } });
        await Event("content_block_stop", new { type = "content_block_stop", index = 0 });
        await Event("message_delta", new { type = "message_delta", delta = new { stop_reason = "end_turn", stop_sequence = (string?)null }, usage = new { output_tokens = 1 } });
        await Event("message_stop", new { type = "message_stop" });
    }

    private async Task<JsonNode> Receive(HttpContext context)
    {
        RequestHeaders.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        var request = await JsonNode.ParseAsync(context.Request.Body) ?? new JsonObject();
        Requests.Enqueue(request);
        return request;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
