namespace Peregrine.Tasks;

/// <summary>How the task runner of this process executes queued tasks (configuration section <c>Tasks</c>).</summary>
public sealed class TaskRunnerOptions
{
    public const string SectionName = "Tasks";

    /// <summary>
    /// Tasks this process runs at once, across all users. Scrapes and board fetches mostly wait on the network, so this
    /// may exceed the core count. 0 makes a process that only serves requests: its tasks stay queued (and marked) for a
    /// process that runs them.
    /// </summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>How long a graceful shutdown waits for running tasks to notice cancellation and go back to the queue.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);
}
