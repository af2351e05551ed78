using Peregrine.Llm;

namespace Peregrine.Tasks;

/// <summary>
/// Why a task failed, in words for the person whose task it was. The stored <c>error</c> keeps upstream's text (its
/// SPA and tests read it); a page shows this instead. Messages a handler already wrote for people pass through.
/// </summary>
public static class TaskFailures
{
    public const string AiOffInDemo = "AI is switched off in this public demo, so nothing was written. Run your own Peregrine to use AI features.";
    public const string AiUnavailable = "The AI service could not be reached, so nothing was written. Try again in a few minutes.";

    public static string Explain(string? error) => error switch
    {
        null or "" => "It stopped without saying why. Try again.",
        AiDisabledInDemoException.Text => AiOffInDemo,
        LlmBackendsExhaustedException.Text => AiUnavailable,
        BackgroundTasks.CancelledByUser => "You cancelled it.",
        BackgroundTasks.KilledByUser => "You stopped all running tasks.",
        BackgroundTasks.InterruptedByRestart => "Peregrine restarted while it was running.",
        TaskRunner.UnexpectedFailure => "Something went wrong on our side. Try again; if it keeps failing, contact support.",
        _ when error.StartsWith("Job ", StringComparison.Ordinal) && error.EndsWith(" not found", StringComparison.Ordinal) => "The job was deleted before it could finish.",
        _ when error.StartsWith("Unknown task_type", StringComparison.Ordinal) => "This kind of task is not available here.",
        _ => error,
    };
}
