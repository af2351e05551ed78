using Peregrine.Resume;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Resume;

/// <summary>The rule-based parse alone gives a usable profile for a plain one-column résumé, in each of the three formats.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class ResumeParserTests
{
    public static readonly TheoryData<string> Formats = new() { "pdf", "docx", "odt" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void APlainResumeGivesContactDetailsExperienceEducationAndSkills(string format)
    {
        var parsed = ResumeWorker.Parse(Write(format, ResumeFiles.PlatformEngineer));
        var profile = parsed.Profile;

        Assert.Equal(format, parsed.Format.ToString().ToLowerInvariant());
        Assert.Equal("Alex Morgan", profile.Name);
        Assert.Equal("alex.morgan@example.com", profile.Email);
        Assert.Equal("+49 30 5550 1234", profile.Phone);
        Assert.Equal("https://www.linkedin.com/in/alex-morgan-example", profile.LinkedinUrl);
        Assert.Equal("Berlin, Germany", profile.City);
        Assert.StartsWith("Platform engineer with nine years", profile.CareerSummary, StringComparison.Ordinal);
        Assert.Collection(
            profile.Experience,
            first =>
            {
                Assert.Equal(("Senior Platform Engineer", "Example Freight GmbH", "Berlin", "Jan 2021 – Present"), (first.Title, first.Company, first.Location, first.Period));
                Assert.Equal(
                    "Ran Kubernetes clusters for 40 services and halved the time to deploy.\nWrote Terraform modules and the on-call runbooks; led incident response reviews.",
                    first.Responsibilities);
            },
            second => Assert.Equal(("Site Reliability Engineer", "Example Health", "Mar 2017 – Dec 2020"), (second.Title, second.Company, second.Period)));
        var degree = Assert.Single(profile.Education);
        Assert.Equal(("BSc", "Computer Science", "Example University", "2016"), (degree.Degree, degree.Field, degree.Institution, degree.GraduationYear));
        Assert.Equal(["Kubernetes", "Terraform", "Golang", "Prometheus", "PostgreSQL"], profile.Skills);
        Assert.Equal(["logistics", "healthcare"], profile.Domains);
        Assert.Contains("incident response", profile.Keywords);
        Assert.Contains("mentoring", profile.Keywords);
        Assert.Contains("observability", profile.Keywords);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void AnotherLayoutCommaSeparatedHeadingsAndSemicolonSkills(string format)
    {
        var profile = ResumeWorker.Parse(Write(format, ResumeFiles.DataEngineer)).Profile;

        Assert.Equal(("Sam Okafor", "sam.okafor@example.org", "+351 21 555 0199", "Lisbon, Portugal"), (profile.Name, profile.Email, profile.Phone, profile.City));
        Assert.Collection(
            profile.Experience,
            first => Assert.Equal(("Data Engineer", "Example Shop", "2019 – Present"), (first.Title, first.Company, first.Period)),
            second => Assert.Equal(("Analyst", "Example Retail", "2016 – 2019"), (second.Title, second.Company, second.Period)));
        var degree = Assert.Single(profile.Education);
        Assert.Equal(("MSc", "Data Science", "Example Institute of Technology", "2016"), (degree.Degree, degree.Field, degree.Institution, degree.GraduationYear));
        Assert.Equal(["Python", "SQL", "dbt", "Snowflake", "Airflow"], profile.Skills);
        Assert.Equal(["e-commerce", "retail"], profile.Domains);
    }

    [Fact]
    public void WithoutASkillsSectionKnownToolsInTheTextBecomeSkills()
    {
        string[] lines = ["Kim Lee", "kim@example.com", "Experience", "Engineer | Example Co | 2020 – 2024", "• Shipped Django and PostgreSQL services on AWS."];

        var profile = ResumeWorker.Parse(ResumeFiles.Docx(lines)).Profile;

        Assert.Equal(["Django", "PostgreSQL", "AWS"], profile.Skills);
    }

    internal static byte[] Write(string format, string[] lines) => format switch
    {
        "pdf" => ResumeFiles.Pdf(lines),
        "docx" => ResumeFiles.Docx(lines),
        _ => ResumeFiles.Odt(lines),
    };
}
