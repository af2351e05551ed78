using System.Text;
using Dapper;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Bench;

/// <summary>A job row as the pipeline stores it.</summary>
internal sealed record BenchJob(string Title, string Company, string Url, string Location, string Description, double MatchScore);

/// <summary>Filling bench DBs through the one opener, and the user a handler would see for them.</summary>
internal static class BenchJobs
{
    private static readonly string[] Titles = ["Senior Software Engineer", "Backend Developer", "Platform Engineer", "Data Engineer", "Site Reliability Engineer", "Full-Stack Developer", "Engineering Manager", "DevOps Engineer"];
    private static readonly string[] Companies = ["Acme Robotics", "Northwind Traders", "Contoso Ltd", "Fabrikam", "Globex", "Initech", "Umbrella Health", "Wayne Logistics"];
    private static readonly string[] Places = ["Remote", "Berlin, DE", "London, UK", "Austin, TX", "Toronto, ON", "Amsterdam, NL"];
    private static readonly string[] Words = (
        "we are looking for an experienced engineer to join our team and help build reliable distributed systems " +
        "you will design services in c# and go operate kubernetes clusters own the observability stack mentor " +
        "colleagues and work closely with product requirements include five years of experience with cloud platforms " +
        "postgres sqlite message queues ci cd pipelines strong communication skills benefits include equity health " +
        "insurance flexible hours learning budget parental leave and a home office stipend").Split(' ');

    /// <summary>The same short row every time: the storage benchmarks compare engines, not data.</summary>
    public static BenchJob Uniform(int i) =>
        new($"Engineer {i}", "Acme", $"https://jobs.example/{i}", "Remote", new string('x', 2000), i % 100 / 100.0);

    /// <summary>Varied text that compresses like real postings (a 1–2 KB description), reproducible per index.</summary>
    public static BenchJob Realistic(int i)
    {
        var random = new Random(i);
        var company = Companies[random.Next(Companies.Length)];
        var description = new StringBuilder(2048);
        var length = random.Next(1024, 2048);
        while (description.Length < length)
        {
            description.Append(Words[random.Next(Words.Length)]).Append(random.Next(12) == 0 ? ". " : " ");
        }

        return new BenchJob(
            $"{Titles[random.Next(Titles.Length)]} ({random.Next(100, 999)})",
            company,
            $"https://boards.example.com/{company.ToLowerInvariant().Replace(' ', '-')}/jobs/{i}-{random.Next():x}",
            Places[random.Next(Places.Length)],
            description.ToString(),
            random.NextDouble());
    }

    public static void Fill(DatabaseLocation location, int jobs, Func<int, BenchJob> row)
    {
        const string sql = """
            INSERT INTO jobs (title, company, url, location, description, match_score, status)
            VALUES (@Title, @Company, @Url, @Location, @Description, @MatchScore, 'pending');
            """;
        using var connection = new UserDatabases().Open(location);
        using var transaction = connection.BeginTransaction();
        for (var i = 0; i < jobs; i++)
        {
            connection.Execute(sql, row(i), transaction);
        }

        transaction.Commit();
    }

    public static UserContext User(DatabaseLocation location) => new()
    {
        UserId = location.OwnerId,
        App = "peregrine",
        AppDirectory = Path.GetDirectoryName(location.Path)!,
        Database = location,
        IsCloud = location.Key is not null,
    };
}
