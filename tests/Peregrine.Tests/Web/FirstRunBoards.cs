using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Peregrine.Tests.Web;

/// <summary>
/// Two companies' boards for the first-run tests, in Greenhouse's and Ashby's wire formats, dated relative to now so a
/// search's default maximum age keeps them: platform jobs that mention the platform résumé's skills, and data jobs that
/// mention the data résumé's; the two of each trade score apart, so the best match is one job.
/// </summary>
internal static class FirstRunBoards
{
    public const string Greenhouse = "firstrun-acme";
    public const string Ashby = "firstrun-initech";

    public static void Map(WebApplication app)
    {
        app.MapGet($"/v1/boards/{Greenhouse}/jobs", () => Json(GreenhouseBoard()));
        app.MapGet($"/posting-api/job-board/{Ashby}", () => Json(AshbyBoard()));
    }

    private static IResult Json(string body) => Results.Content(body, "application/json; charset=utf-8");

    private static string HoursAgo(int hours) => DateTimeOffset.UtcNow.AddHours(-hours).ToString("O", CultureInfo.InvariantCulture);

    private static string GreenhouseBoard() => $$"""
        {"jobs": [
          {"id": 301, "title": "Senior Platform Engineer", "company_name": "First Run Acme", "updated_at": "{{HoursAgo(3)}}",
           "location": {"name": "Berlin, Germany"}, "absolute_url": "https://boards.greenhouse.io/{{Greenhouse}}/jobs/301",
           "content": "&lt;p&gt;Run &lt;strong&gt;Kubernetes&lt;/strong&gt; with Terraform, and Prometheus for observability.&lt;/p&gt;",
           "departments": [{"id": 1, "name": "Infrastructure"}]},
          {"id": 302, "title": "Platform Engineer", "company_name": "First Run Acme", "updated_at": "{{HoursAgo(5)}}",
           "location": {"name": "Remote"}, "absolute_url": "https://boards.greenhouse.io/{{Greenhouse}}/jobs/302",
           "content": "&lt;p&gt;Golang services on Kubernetes.&lt;/p&gt;", "departments": []},
          {"id": 303, "title": "Account Executive", "company_name": "First Run Acme", "updated_at": "{{HoursAgo(5)}}",
           "location": {"name": "Berlin"}, "absolute_url": "https://boards.greenhouse.io/{{Greenhouse}}/jobs/303", "content": "", "departments": []}
        ]}
        """;

    private static string AshbyBoard() => $$"""
        {"apiVersion": "1", "jobs": [
          {"id": "d1", "title": "Data Engineer", "department": "Data", "location": "Remote (EU)", "isRemote": true, "workplaceType": "Remote",
           "isListed": true, "publishedAt": "{{HoursAgo(2)}}", "jobUrl": "https://jobs.ashbyhq.com/{{Ashby}}/d1",
           "descriptionPlain": "dbt and Snowflake pipelines, orchestrated with Airflow, for e-commerce."},
          {"id": "d2", "title": "Senior Data Engineer", "department": "Data", "location": "Remote", "isRemote": true, "workplaceType": "Remote",
           "isListed": true, "publishedAt": "{{HoursAgo(4)}}", "jobUrl": "https://jobs.ashbyhq.com/{{Ashby}}/d2",
           "descriptionPlain": "Python for retail."}
        ]}
        """;
}
