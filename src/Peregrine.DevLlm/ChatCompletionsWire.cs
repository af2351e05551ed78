using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Peregrine.DevLlm;

/// <summary>
/// The OpenAI chat-completions wire format, as vLLM, Ollama and llama.cpp serve it: a <c>chat.completion</c> object,
/// or with <c>"stream": true</c> server-sent <c>chat.completion.chunk</c> events closed by <c>data: [DONE]</c>.
/// </summary>
public static class ChatCompletionsWire
{
    /// <summary>The request's messages as "role: text" lines (the text parts of each message).</summary>
    public static string PromptText(JsonNode request)
    {
        var text = new StringBuilder();
        foreach (var message in request["messages"]?.AsArray() ?? [])
        {
            var content = message?["content"];
            var body = content is JsonArray parts
                ? string.Concat(parts.Where(p => p?["type"]?.GetValue<string>() == "text").Select(p => p?["text"]?.GetValue<string>()))
                : content?.GetValue<string>();
            text.Append(message?["role"]?.GetValue<string>()).Append(": ").AppendLine(body);
        }

        return text.ToString();
    }

    public static bool WantsStream(JsonNode request) => request["stream"]?.GetValue<bool>() == true;

    public static string Model(JsonNode request) => request["model"]?.GetValue<string>() ?? "dev";

    public static object Completion(string model, string answer) => new
    {
        id = "chatcmpl-" + Guid.NewGuid().ToString("N"),
        @object = "chat.completion",
        created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        model,
        choices = new[] { new { index = 0, message = new { role = "assistant", content = answer }, finish_reason = "stop" } },
        usage = new { prompt_tokens = 0, completion_tokens = 0, total_tokens = 0 },
    };

    public static object Models(string model) => new
    {
        @object = "list",
        data = new[] { new { id = model, @object = "model", owned_by = "peregrine-dev" } },
    };

    /// <summary>Starts the event stream; write chunks with <see cref="WriteChunkAsync"/> and close with <see cref="WriteDoneAsync"/>.</summary>
    public static async Task StartStreamAsync(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.Body.FlushAsync();
    }

    public static async Task WriteChunkAsync(HttpResponse response, string id, string model, string? delta, string? finishReason, CancellationToken cancellationToken)
    {
        var chunk = new
        {
            id,
            @object = "chat.completion.chunk",
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            model,
            choices = new[]
            {
                new { index = 0, delta = delta is null ? (object)new { } : new { role = "assistant", content = delta }, finish_reason = finishReason },
            },
        };
        await response.WriteAsync("data: " + JsonSerializer.Serialize(chunk) + "\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public static async Task WriteDoneAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: [DONE]\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>A whole answer as a stream, a few words per chunk.</summary>
    public static async Task StreamAsync(HttpResponse response, string model, string answer, CancellationToken cancellationToken)
    {
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        await StartStreamAsync(response);
        foreach (var piece in Pieces(answer, wordsPerPiece: 4))
        {
            await WriteChunkAsync(response, id, model, piece, null, cancellationToken);
        }

        await WriteChunkAsync(response, id, model, null, "stop", cancellationToken);
        await WriteDoneAsync(response, cancellationToken);
    }

    private static IEnumerable<string> Pieces(string text, int wordsPerPiece)
    {
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i += wordsPerPiece)
        {
            yield return string.Join(' ', words.Skip(i).Take(wordsPerPiece)) + (i + wordsPerPiece < words.Length ? " " : string.Empty);
        }
    }
}
