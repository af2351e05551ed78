using Peregrine.Llm;
using Peregrine.Tasks;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Tasks;

/// <summary>A failed task says why in words its owner understands; the stored message stays upstream's.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class TaskFailureWordsTests
{
    [Theory]
    [InlineData(AiDisabledInDemoException.Text, TaskFailures.AiOffInDemo)]
    [InlineData(LlmBackendsExhaustedException.Text, TaskFailures.AiUnavailable)]
    [InlineData(BackgroundTasks.CancelledByUser, "You cancelled it.")]
    [InlineData(BackgroundTasks.InterruptedByRestart, "Peregrine restarted while it was running.")]
    [InlineData("Job 42 not found", "The job was deleted before it could finish.")]
    [InlineData("Unknown task_type: 'finetune_extract'", "This kind of task is not available here.")]
    [InlineData("jobs.example.com answered HTTP 404", "jobs.example.com answered HTTP 404")]
    [InlineData(null, "It stopped without saying why. Try again.")]
    public void AStoredFailureReadsInPlainWords(string? stored, string shown) => Assert.Equal(shown, TaskFailures.Explain(stored));

    [Fact]
    public void NoPlainWordsNameABackendOrAnException()
    {
        foreach (var stored in new[] { AiDisabledInDemoException.Text, LlmBackendsExhaustedException.Text, TaskRunner.UnexpectedFailure })
        {
            Assert.DoesNotContain("LLM", TaskFailures.Explain(stored), StringComparison.Ordinal);
            Assert.DoesNotContain("exception", TaskFailures.Explain(stored), StringComparison.OrdinalIgnoreCase);
        }
    }
}
