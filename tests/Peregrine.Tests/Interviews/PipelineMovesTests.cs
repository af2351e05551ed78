using Peregrine.Jobs;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Interviews;

/// <summary>The stages a page offers follow the job's real state (a job only approved was offered "Applied").</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class PipelineMovesTests
{
    [Theory]
    [InlineData(JobStatuses.Pending)]
    [InlineData(JobStatuses.Approved)]
    [InlineData(JobStatuses.Rejected)]
    [InlineData(JobStatuses.Synced)]
    [InlineData(null)]
    public void AJobNotYetAppliedForIsOfferedNoPipelineStage(string? status) => Assert.Empty(PipelineStages.MovesFrom(status));

    [Theory]
    [InlineData(PipelineStages.Applied, new[] { "survey", "phone_screen", "interviewing", "offer", "hired", "interview_rejected" })]
    [InlineData(PipelineStages.PhoneScreen, new[] { "applied", "interviewing", "offer", "hired", "interview_rejected" })]
    [InlineData(PipelineStages.Interviewing, new[] { "phone_screen", "offer", "hired", "interview_rejected" })]
    [InlineData(PipelineStages.Offer, new[] { "interviewing", "hired", "interview_rejected" })]
    [InlineData(PipelineStages.Hired, new[] { "offer" })]
    [InlineData(PipelineStages.Rejected, new[] { "applied", "survey", "phone_screen", "interviewing", "offer" })]
    public void AJobInThePipelineMovesForwardBackOneStepOrOut(string status, string[] offered) =>
        Assert.Equal(offered, PipelineStages.MovesFrom(status).Select(s => s.Status));

    [Fact]
    public void OnlyACallOrAnInterviewAsksForADate() =>
        Assert.Equal(["phone_screen", "interviewing"], PipelineStages.Statuses.Where(PipelineStages.TakesInterviewDate));
}
