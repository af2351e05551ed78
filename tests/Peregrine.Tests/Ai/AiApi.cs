using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Llm;

namespace Peregrine.Tests.Ai;

/// <summary>The cloud Api with a platform llm.yaml pointing at a loopback fake, and the steps the AI tests share.</summary>
public static class AiApi
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static string PlatformConfig(FakeLlmServer server, string extraBackends = "", string chain = "[platform]") => $"""
        backends:
          platform:
            type: openai_compat
            base_url: {server.OpenAiBase}
            model: llama3.1:8b
            timeout_s: 10
        {extraBackends}
        fallback_order: {chain}
        research_fallback_order: {chain}
        """;

    /// <summary>Points <c>Llm:ConfigPath</c> at <paramref name="yaml"/>, written in the factory's scratch folder.</summary>
    public static PeregrineApiFactory WithPlatformLlm(this PeregrineApiFactory api, string yaml)
    {
        var path = api.Scratch.Combine("platform-llm.yaml");
        File.WriteAllText(path, yaml);
        return api.Configure("Llm:ConfigPath", path);
    }

    /// <summary>The cloud Api with this platform llm.yaml, and with the platform DB when <paramref name="postgres"/> is given.</summary>
    public static async Task<PeregrineApiFactory> StartAsync(string platformYaml, PostgresFixture? postgres = null, params (string Key, string Value)[] settings)
    {
        var api = new PeregrineApiFactory().WithPlatformLlm(platformYaml);
        foreach (var (key, value) in settings)
        {
            api.Configure(key, value);
        }

        if (postgres is null)
        {
            return api;
        }

        api.Configure("PLATFORM_DB_URL", postgres.Url);
        await api.Services.GetRequiredService<Peregrine.Api.Platform.PlatformSchema>().Applied.WaitAsync(Bound);
        return api;
    }

    public static async Task<long> CreateJobAsync(HttpClient client, string title, string company, string description = "Build reliable services.")
    {
        var response = await client.PostAsJsonAsync("/peregrine/api/jobs", new
        {
            title,
            company,
            url = $"https://jobs.example.com/{Guid.NewGuid():N}",
            description,
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public static void WriteProfile(PeregrineApiFactory api, string userId, string name, string voice)
    {
        var config = Path.Combine(api.UserDirectory(userId), "config");
        Directory.CreateDirectory(config);
        File.WriteAllText(Path.Combine(config, "user.yaml"), $"""
            name: {name}
            career_summary: {name} has built payment systems for ten years.
            candidate_voice: {voice}
            mission_preferences:
              social_impact: Tools that help people find work
              gaming: ""
            """);
        File.WriteAllText(Path.Combine(config, "plain_text_resume.yaml"), $"""
            personal_information:
              name: {name}
            experience:
              - position: Staff Engineer
                company: {name} Works
                key_responsibilities:
                  - Led the ledger rewrite
            """);
    }

    /// <summary>Polls a task endpoint (bounded) until the runner has finished the task; returns (status, message).</summary>
    public static async Task<(string Status, string? Message)> WaitForTaskAsync(HttpClient client, string taskPath)
    {
        var task = await Eventually.UntilAsync(
            async () => await (await client.GetAsync(taskPath)).JsonAsync(),
            task => task.GetProperty("status").GetString() is "completed" or "failed",
            Bound);
        return (task.GetProperty("status").GetString()!, task.GetProperty("message").GetString());
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}
