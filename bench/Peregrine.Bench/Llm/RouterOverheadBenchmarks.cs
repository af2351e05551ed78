using System.ClientModel;
using System.ClientModel.Primitives;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using Peregrine.Configuration;
using Peregrine.DevLlm;
using Peregrine.Llm;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Bench.Llm;

/// <summary>
/// What the router adds to one chat completion: the same request to the same loopback OpenAI-format server, once through
/// a bare OpenAI <see cref="IChatClient"/> (baseline), once through <see cref="ILlmRouter"/> (config lookup, cached
/// health, failover client, time limit, OpenTelemetry wrapper).
/// </summary>
[MemoryDiagnoser]
public class RouterOverheadBenchmarks
{
    private LoopbackSite _server = null!;
    private IChatClient _direct = null!;
    private ServiceProvider _services = null!;
    private ILlmRouter _router = null!;
    private UserContext _user = null!;
    private string _scratch = null!;

    [GlobalSetup]
    public async Task SetUp()
    {
        _server = await LoopbackSite.StartAsync(app =>
        {
            app.MapGet("/v1/models", () => Results.Json(ChatCompletionsWire.Models("bench")));
            app.MapPost("/v1/chat/completions", () => Results.Json(ChatCompletionsWire.Completion("bench", "a short answer")));
        });
        var baseUrl = _server.Url("v1");

        _direct = new OpenAIClient(new ApiKeyCredential("none"), new OpenAIClientOptions { Endpoint = new Uri(baseUrl), RetryPolicy = new ClientRetryPolicy(0) })
            .GetChatClient("bench").AsIChatClient();

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Llm:BaseUrl"] = baseUrl,
            ["Llm:Model"] = "bench",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(TimeProvider.System).AddLogging();
        services.AddOptions<PeregrineOptions>().BindConfiguration(string.Empty);
        services.AddLlm();
        _services = services.BuildServiceProvider();
        _router = _services.GetRequiredService<ILlmRouter>();
        _scratch = Directory.CreateTempSubdirectory("peregrine-llm-bench").FullName;
        _user = new UserContext
        {
            UserId = UserContext.LocalUserId,
            App = "peregrine",
            AppDirectory = _scratch,
            Database = new DatabaseLocation(UserContext.LocalUserId, Path.Combine(_scratch, "staging.db"), null),
            IsCloud = false,
        };
    }

    [Benchmark(Baseline = true)]
    public async Task<string> DirectClient() => (await _direct.GetResponseAsync("hello")).Text;

    [Benchmark]
    public Task<string> Router() => _router.CompleteAsync(_user, LlmChain.General, null, "hello", CancellationToken.None);

    [GlobalCleanup]
    public async Task TearDown()
    {
        _direct.Dispose();
        await _services.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }
}
