using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Tasks;

/// <summary>
/// The real Api in cloud mode with its task runner, plus what runner tests need: extra services (handlers, resolvers),
/// signed-in clients, queueing a task as an endpoint does (commit, then wake), and bounded waits on task rows.
/// </summary>
internal sealed class TaskTestHost : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly WebApplicationFactory<Peregrine.Api.ApiAssembly> _app;

    public TaskTestHost(PeregrineApiFactory factory, Action<IServiceCollection> services)
    {
        Factory = factory;
        _app = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services));
    }

    public PeregrineApiFactory Factory { get; }

    public IServiceProvider Services => _app.Services;

    public TaskRunner Runner => Services.GetRequiredService<TaskRunner>();

    public HttpClient Client(string userId) =>
        _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }).As(userId);

    public UserContext User(string userId) =>
        CloudUserResolver.ForUser(Services.GetRequiredService<IOptions<PeregrineOptions>>().Value, userId);

    /// <summary>Provisions the user through a real signed-in request.</summary>
    public async Task<UserContext> SignInAsync(string userId)
    {
        using var client = Client(userId);
        (await client.GetAsync("/peregrine/api/tasks")).EnsureSuccessStatusCode();
        return User(userId);
    }

    /// <summary>What an endpoint that queues does: submit in the user's DB, commit, then wake the runner.</summary>
    public long[] Queue(UserContext user, string taskType, params string?[] parameters)
    {
        var time = Services.GetRequiredService<TimeProvider>();
        long[] ids;
        using (var db = Services.GetRequiredService<UserDatabases>().Open(user.Database))
        {
            ids = [.. parameters.Select(p => BackgroundTasks.Submit(db, taskType, 0, p, time).TaskId)];
        }

        Services.GetRequiredService<ITaskWakeup>().Wake(user);
        return ids;
    }

    public TaskRow Row(UserContext user, long taskId)
    {
        using var db = Services.GetRequiredService<UserDatabases>().Open(user.Database);
        return db.QuerySingle<TaskRow>("SELECT id, status, stage, error FROM background_tasks WHERE id = @taskId;", new { taskId });
    }

    public async Task<TaskRow> FinishedAsync(UserContext user, long taskId) =>
        await Eventually.UntilAsync(() => Row(user, taskId) is { Status: "completed" or "failed" } row ? row : null, Bound);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

internal sealed record TaskRow(long Id, string Status, string? Stage, string? Error);
