using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Peregrine.Configuration;
using Peregrine.Llm;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Llm;

/// <summary>The real router (<see cref="LlmRegistration.AddLlm"/>) in a small container, with a user tree in a temp folder.</summary>
public sealed class RouterHarness : IDisposable
{
    private readonly TestDirectory _directory = new("peregrine-llm");
    private readonly ServiceProvider _services;

    public RouterHarness(IDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(TimeProvider.System)
            .AddLogging(logging => logging.AddProvider(Log).SetMinimumLevel(LogLevel.Information));
        services.AddOptions<PeregrineOptions>().BindConfiguration(string.Empty);
        services.AddLlm();
        _services = services.BuildServiceProvider();
    }

    public CapturingLoggerProvider Log { get; } = new();

    public ILlmRouter Router => _services.GetRequiredService<ILlmRouter>();

    public UserContext User(string id = UserContext.LocalUserId, bool cloud = false)
    {
        var directory = _directory.Combine(id, "peregrine");
        Directory.CreateDirectory(Path.Combine(directory, "config"));
        return new UserContext
        {
            UserId = id,
            App = "peregrine",
            AppDirectory = directory,
            Database = new DatabaseLocation(id, Path.Combine(directory, "staging.db"), null),
            IsCloud = cloud,
        };
    }

    /// <summary>Writes an llm.yaml in the scratch folder and returns its path.</summary>
    public string WriteConfig(string name, string yaml)
    {
        var path = _directory.Combine(name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public void Dispose()
    {
        _services.Dispose();
        _directory.Dispose();
    }
}

/// <summary>Keeps every log line, so a test can check what the log says (and what it must not).</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue(formatter(state, exception) + (exception is null ? string.Empty : " | " + exception.GetType().Name + ": " + exception.Message));
    }
}
