using System.Text.Json.Nodes;
using Peregrine.DevLlm;

// Loopback only: it is a development stand-in, never a service anyone else should reach.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024);
var app = builder.Build();
var model = app.Configuration["DEV_LLM_MODEL"] ?? "peregrine-dev-template";
var delay = TimeSpan.FromMilliseconds(Math.Clamp(app.Configuration.GetValue("DEV_LLM_DELAY_MS", 0), 0, 30_000));

app.MapGet("/health", () => TypedResults.Ok("ok"));
app.MapGet("/v1/models", () => TypedResults.Json(ChatCompletionsWire.Models(model)));
app.MapPost("/v1/chat/completions", async (HttpContext context) =>
{
    JsonNode? request;
    try
    {
        request = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
    }
    catch (System.Text.Json.JsonException)
    {
        request = null;
    }

    if (request is null)
    {
        return Results.Problem("a JSON body is required", statusCode: StatusCodes.Status400BadRequest);
    }

    var answer = TemplateAnswers.For(ChatCompletionsWire.PromptText(request));
    await Task.Delay(delay, context.RequestAborted);
    if (!ChatCompletionsWire.WantsStream(request))
    {
        return Results.Json(ChatCompletionsWire.Completion(model, answer));
    }

    await ChatCompletionsWire.StreamAsync(context.Response, model, answer, context.RequestAborted);
    return Results.Empty;
});

app.Run();
