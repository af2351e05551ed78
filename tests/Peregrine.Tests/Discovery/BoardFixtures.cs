using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Peregrine.Tests.Discovery;

/// <summary>
/// The three board APIs in their documented wire formats (Greenhouse Job Board API with <c>content=true</c>, Lever
/// Postings API <c>mode=json</c>, Ashby Job Posting API with compensation), written from their public documentation.
/// </summary>
internal static class BoardFixtures
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/v1/boards/acme/jobs", (bool content) => Json(content ? Greenhouse : "{}"));
        app.MapGet("/v0/postings/globex", (string mode) => Json(mode == "json" ? Lever : "[]"));
        app.MapGet("/posting-api/job-board/initech", (bool includeCompensation) => Json(Ashby));
    }

    private static IResult Json(string body) => Results.Content(body, "application/json; charset=utf-8");

    private const string Greenhouse = """
        {"jobs": [
          {"id": 101, "title": "Senior Platform Engineer", "company_name": "Acme Rockets", "updated_at": "2026-11-30T10:00:00-05:00",
           "location": {"name": "Berlin, Germany"}, "absolute_url": "https://boards.greenhouse.io/acme/jobs/101?utm_source=feed",
           "content": "&lt;p&gt;Run &lt;strong&gt;Kubernetes&lt;/strong&gt; and Go services for the platform.&lt;/p&gt;",
           "departments": [{"id": 1, "name": "Engineering"}], "offices": [{"id": 1, "name": "Berlin"}], "metadata": null},
          {"id": 102, "title": "Platform Engineer", "company_name": "Acme Rockets", "updated_at": "2026-11-30T10:00:00Z",
           "location": {"name": "Berlin"}, "absolute_url": "https://boards.greenhouse.io/acme/jobs/102",
           "content": "&lt;p&gt;Requires security clearance.&lt;/p&gt;", "departments": [], "offices": [], "metadata": null},
          {"id": 103, "title": "Sales Manager", "company_name": "Acme Rockets", "updated_at": "2026-11-30T10:00:00Z",
           "location": {"name": "Berlin"}, "absolute_url": "https://boards.greenhouse.io/acme/jobs/103", "content": "", "departments": [], "offices": [], "metadata": null},
          {"id": 104, "title": "Platform Engineer", "company_name": "Acme Rockets", "updated_at": "2026-11-30T10:00:00Z",
           "location": {"name": "Paris"}, "absolute_url": "https://boards.greenhouse.io/acme/jobs/104", "content": "", "departments": [], "offices": [], "metadata": null},
          {"id": 105, "title": "Platform Engineer, Edge", "company_name": "Acme Rockets", "updated_at": "2026-11-30T10:00:00Z",
           "location": {"name": "Berlin & Moscow"}, "absolute_url": "https://boards.greenhouse.io/acme/jobs/105", "content": "", "departments": [], "offices": [], "metadata": null}
        ], "meta": {"total": 5}}
        """;

    private const string Lever = """
        [
          {"id": "a1", "text": "Platform Engineer, Infra", "categories": {"location": "Remote - EU", "commitment": "Full-time", "team": "Infra"},
           "country": "DE", "workplaceType": "remote", "descriptionPlain": "Terraform and Go.", "description": "<p>Terraform and Go.</p>",
           "hostedUrl": "https://jobs.lever.co/globex/a1", "applyUrl": "https://jobs.lever.co/globex/a1/apply", "createdAt": 1764500000000,
           "salaryRange": {"currency": "EUR", "interval": "per-year-salary", "min": 70000, "max": 90000}},
          {"id": "a2", "text": "Data Engineer", "categories": {"location": "New York", "commitment": "Full-time"}, "country": "US",
           "workplaceType": "on-site", "descriptionPlain": "Spark.", "hostedUrl": "https://jobs.lever.co/globex/a2", "createdAt": 1764500000000},
          {"id": "a3", "text": "Staff Data Engineer", "categories": {"location": "Anywhere"}, "country": null,
           "workplaceType": "remote", "descriptionPlain": "Airflow pipelines.", "hostedUrl": "https://jobs.lever.co/globex/a3", "createdAt": 1764500000000}
        ]
        """;

    private const string Ashby = """
        {"apiVersion": "1", "jobs": [
          {"id": "c1", "title": "Data Engineer", "department": "Data", "team": "Analytics", "employmentType": "FullTime",
           "location": "Remote (US)", "secondaryLocations": [], "isRemote": true, "workplaceType": "Remote", "isListed": true,
           "publishedAt": "2026-11-29T08:00:00.000+00:00", "jobUrl": "https://jobs.ashbyhq.com/initech/c1",
           "applyUrl": "https://jobs.ashbyhq.com/initech/c1/application", "descriptionHtml": "<p>dbt and Snowflake.</p>",
           "descriptionPlain": "dbt and Snowflake.", "shouldDisplayCompensationOnJobPostings": true,
           "compensation": {"compensationTierSummary": "$150K – $180K", "summaryComponents": [
             {"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD", "minValue": 150000, "maxValue": 180000}]}},
          {"id": "c2", "title": "Data Engineer II", "location": "Remote", "isRemote": true, "workplaceType": "Remote", "isListed": false,
           "publishedAt": "2026-11-29T08:00:00.000+00:00", "jobUrl": "https://jobs.ashbyhq.com/initech/c2", "descriptionPlain": "x"},
          {"id": "c3", "title": "Data Engineer", "location": "Austin", "isRemote": false, "workplaceType": "OnSite", "isListed": true,
           "publishedAt": "2026-11-29T08:00:00.000+00:00", "jobUrl": "https://jobs.ashbyhq.com/initech/c3", "descriptionPlain": "y"}
        ]}
        """;
}
