using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Peregrine.Tests.Demo;

/// <summary>
/// The three boards the demo seed's search profiles name (<c>greenhouse:example-robotics</c>, <c>lever:example-health</c>,
/// <c>ashby:example-games</c>), in the boards' wire formats, dated relative to now so the profiles' <c>hours_old: 72</c>
/// keeps the fresh ones. Of the seven listings, <see cref="NewListingUrls"/> pass the profiles' filters.
/// </summary>
internal static class DemoBoardFixtures
{
    public static readonly string[] NewListingUrls =
    [
        "https://boards.greenhouse.io/example-robotics/jobs/201",
        "https://jobs.ashbyhq.com/example-games/g1",
        "https://jobs.lever.co/example-health/h1",
    ];

    public static void Map(WebApplication app)
    {
        app.MapGet("/v1/boards/example-robotics/jobs", () => Json(Greenhouse()));
        app.MapGet("/v0/postings/example-health", () => Json(Lever()));
        app.MapGet("/posting-api/job-board/example-games", () => Json(Ashby()));
    }

    private static IResult Json(string body) => Results.Content(body, "application/json; charset=utf-8");

    private static string HoursAgo(int hours) => DateTimeOffset.UtcNow.AddHours(-hours).ToString("O", CultureInfo.InvariantCulture);

    // Kept: 201 (Austin, fresh). Dropped: 202 (clearance), 203 (ten days old), 204 (title matches no profile).
    private static string Greenhouse() => $$"""
        {"jobs": [
          {"id": 201, "title": "Backend Engineer", "company_name": "Example Robotics", "updated_at": "{{HoursAgo(2)}}",
           "location": {"name": "Austin, TX"}, "absolute_url": "https://boards.greenhouse.io/example-robotics/jobs/201",
           "content": "&lt;p&gt;Build the fleet API in Go.&lt;/p&gt;"},
          {"id": 202, "title": "Platform Engineer", "company_name": "Example Robotics", "updated_at": "{{HoursAgo(2)}}",
           "location": {"name": "Austin, TX"}, "absolute_url": "https://boards.greenhouse.io/example-robotics/jobs/202",
           "content": "&lt;p&gt;Requires security clearance.&lt;/p&gt;"},
          {"id": 203, "title": "Backend Engineer, Payments", "company_name": "Example Robotics", "updated_at": "{{HoursAgo(240)}}",
           "location": {"name": "Remote"}, "absolute_url": "https://boards.greenhouse.io/example-robotics/jobs/203", "content": ""},
          {"id": 204, "title": "Account Executive", "company_name": "Example Robotics", "updated_at": "{{HoursAgo(2)}}",
           "location": {"name": "Remote"}, "absolute_url": "https://boards.greenhouse.io/example-robotics/jobs/204", "content": ""}
        ]}
        """;

    private static string Lever() => $$"""
        [
          {"id": "h1", "text": "Site Reliability Engineer", "categories": {"location": "Remote - US"}, "workplaceType": "remote",
           "descriptionPlain": "Keep the patient portal up.", "hostedUrl": "https://jobs.lever.co/example-health/h1",
           "createdAt": {{DateTimeOffset.UtcNow.AddHours(-5).ToUnixTimeMilliseconds()}}},
          {"id": "h2", "text": "Backend Engineer", "categories": {"location": "Denver, CO"}, "workplaceType": "on-site",
           "descriptionPlain": "On site only.", "hostedUrl": "https://jobs.lever.co/example-health/h2",
           "createdAt": {{DateTimeOffset.UtcNow.AddHours(-5).ToUnixTimeMilliseconds()}}}
        ]
        """;

    private static string Ashby() => $$"""
        {"apiVersion": "1", "jobs": [
          {"id": "g1", "title": "Frontend Engineer", "location": "Remote", "isRemote": true, "workplaceType": "Remote", "isListed": true,
           "publishedAt": "{{HoursAgo(1)}}", "jobUrl": "https://jobs.ashbyhq.com/example-games/g1", "descriptionPlain": "Vue and TypeScript."}
        ]}
        """;
}
