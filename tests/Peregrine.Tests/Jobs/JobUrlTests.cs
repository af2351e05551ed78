using Peregrine.Jobs;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Jobs;

[Trait(Category.Name, Category.Unit)]
public sealed class JobUrlTests
{
    [Theory]
    [InlineData("https://www.linkedin.com/jobs/view/3912345678/?trk=public_jobs", "https://www.linkedin.com/jobs/view/3912345678/")]
    [InlineData("https://linkedin.com/jobs/view/senior-engineer-at-acme-3912345678", "https://www.linkedin.com/jobs/view/3912345678/")]
    [InlineData("https://de.linkedin.com/comm/jobs/view/3912345678?refId=abc", "https://www.linkedin.com/jobs/view/3912345678/")]
    [InlineData("https://www.linkedin.com/jobs/search/?currentJobId=3912345678&keywords=dotnet", "https://www.linkedin.com/jobs/view/3912345678/")]
    [InlineData("https://jobs.example/a?utm_source=x&id=7&UTM_MEDIUM=y&gclid=z#apply", "https://jobs.example/a?id=7")]
    [InlineData("  HTTP://Jobs.Example:80/a  ", "http://jobs.example/a")]
    [InlineData("https://jobs.example/a?source=board", "https://jobs.example/a?source=board")]
    public void CanonicalFormDropsTrackingAndNormalisesLinkedIn(string input, string expected) =>
        Assert.Equal(expected, JobUrl.Canonicalize(input));

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://jobs.example/a")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/path")]
    public void NonHttpInputHasNoCanonicalForm(string input) => Assert.Null(JobUrl.Canonicalize(input));
}
