namespace Peregrine.Resume;

/// <summary>
/// The words the rule-based parser recognises: section headings, degree names, and the domains and keywords it picks
/// out of a résumé's text. Plain lists, so a reader can see (and extend) exactly what the parser knows.
/// </summary>
internal static class ResumeVocabulary
{
    public static readonly IReadOnlyDictionary<string, ResumeSection> Headings = new Dictionary<string, ResumeSection>(StringComparer.OrdinalIgnoreCase)
    {
        ["summary"] = ResumeSection.Summary,
        ["profile"] = ResumeSection.Summary,
        ["objective"] = ResumeSection.Summary,
        ["about me"] = ResumeSection.Summary,
        ["about"] = ResumeSection.Summary,
        ["professional summary"] = ResumeSection.Summary,
        ["career summary"] = ResumeSection.Summary,
        ["career objective"] = ResumeSection.Summary,
        ["personal statement"] = ResumeSection.Summary,
        ["professional profile"] = ResumeSection.Summary,
        ["experience"] = ResumeSection.Experience,
        ["work experience"] = ResumeSection.Experience,
        ["employment"] = ResumeSection.Experience,
        ["work history"] = ResumeSection.Experience,
        ["professional experience"] = ResumeSection.Experience,
        ["career history"] = ResumeSection.Experience,
        ["relevant experience"] = ResumeSection.Experience,
        ["employment history"] = ResumeSection.Experience,
        ["professional history"] = ResumeSection.Experience,
        ["education"] = ResumeSection.Education,
        ["education and training"] = ResumeSection.Education,
        ["academic background"] = ResumeSection.Education,
        ["qualifications"] = ResumeSection.Education,
        ["educational background"] = ResumeSection.Education,
        ["skills"] = ResumeSection.Skills,
        ["technical skills"] = ResumeSection.Skills,
        ["core competencies"] = ResumeSection.Skills,
        ["competencies"] = ResumeSection.Skills,
        ["expertise"] = ResumeSection.Skills,
        ["areas of expertise"] = ResumeSection.Skills,
        ["key skills"] = ResumeSection.Skills,
        ["skills and tools"] = ResumeSection.Skills,
        ["tools and technologies"] = ResumeSection.Skills,
        ["technologies"] = ResumeSection.Skills,
        ["skills & tools"] = ResumeSection.Skills,
        ["tools & technologies"] = ResumeSection.Skills,
        ["certifications"] = ResumeSection.Other,
        ["projects"] = ResumeSection.Other,
        ["awards"] = ResumeSection.Other,
        ["achievements"] = ResumeSection.Other,
        ["publications"] = ResumeSection.Other,
        ["volunteering"] = ResumeSection.Other,
        ["volunteer experience"] = ResumeSection.Other,
        ["languages"] = ResumeSection.Other,
        ["interests"] = ResumeSection.Other,
        ["references"] = ResumeSection.Other,
        ["hobbies"] = ResumeSection.Other,
        ["contact"] = ResumeSection.Header,
    };

    public static readonly IReadOnlyList<string> DegreeWords =
    [
        "bachelor", "bachelors", "bachelor's", "master", "masters", "master's", "bsc", "b.sc", "ba", "b.a", "bs", "b.s", "beng", "b.eng",
        "msc", "m.sc", "ma", "m.a", "ms", "m.s", "meng", "m.eng", "mba", "phd", "ph.d", "doctorate", "doctor", "diploma", "associate",
        "certificate", "hnd", "a-levels", "abitur", "licence", "licenciatura",
    ];

    public static readonly IReadOnlyList<string> InstitutionWords =
        ["university", "college", "school", "institute", "academy", "polytechnic", "universität", "université", "hochschule"];

    public static readonly IReadOnlyList<string> Domains =
    [
        "fintech", "finance", "banking", "insurance", "payments", "healthcare", "health tech", "medical devices", "biotech",
        "pharmaceuticals", "e-commerce", "ecommerce", "retail", "logistics", "supply chain", "transportation", "mobility",
        "education", "edtech", "gaming", "media", "publishing", "advertising", "adtech", "marketing", "telecommunications",
        "energy", "renewable energy", "climate", "automotive", "aerospace", "robotics", "manufacturing", "government",
        "public sector", "non-profit", "nonprofit", "cybersecurity", "developer tools", "saas", "real estate", "travel",
        "hospitality", "legal", "hr tech", "recruiting", "marketplace", "agriculture", "food", "music", "sports",
        "social media", "cloud infrastructure", "crypto", "blockchain", "semiconductors", "consulting",
    ];

    public static readonly IReadOnlyList<string> Keywords =
    [
        "leadership", "mentoring", "mentorship", "coaching", "hiring", "code review", "code reviews", "design reviews",
        "incident response", "on-call", "observability", "monitoring", "testing", "test automation", "CI/CD",
        "continuous integration", "continuous delivery", "agile", "scrum", "kanban", "accessibility", "performance",
        "scalability", "reliability", "security", "compliance", "data analysis", "data modelling", "data modeling",
        "machine learning", "api design", "microservices", "distributed systems", "cloud", "devops", "automation",
        "documentation", "technical writing", "stakeholder management", "project management", "product management",
        "user research", "A/B testing", "customer success", "public speaking", "cross-functional", "budgeting",
        "negotiation", "roadmapping", "strategy", "analytics", "reporting", "migrations", "infrastructure as code",
    ];

    /// <summary>
    /// Technologies and tools recognised in the text when a résumé has no skills section (with one, its own list wins).
    /// Words that are also plain English ("go", "rest", "swift") are left out: they would be found in every letter.
    /// </summary>
    public static readonly IReadOnlyList<string> Skills =
    [
        "Python", "Java", "JavaScript", "TypeScript", "C#", "C++", "Golang", "Ruby", "PHP", "Kotlin", "Scala", "SQL",
        "PostgreSQL", "MySQL", "SQLite", "MongoDB", "Redis", "Kafka", "RabbitMQ", "Elasticsearch", "Kubernetes", "Docker",
        "Terraform", "Ansible", "AWS", "Azure", "GCP", "Linux", "Git", "React", "Vue", "Angular", "Svelte", "Node.js",
        ".NET", "ASP.NET", "Django", "Flask", "Spring Boot", "Rails", "GraphQL", "gRPC", "HTML", "CSS", "Figma",
        "Microsoft Excel", "Tableau", "Power BI", "Spark", "Airflow", "dbt", "Snowflake", "pandas", "PyTorch", "TensorFlow",
        "Prometheus", "Grafana", "Jenkins", "GitHub Actions", "Salesforce", "SAP", "Jira",
    ];
}

internal enum ResumeSection
{
    Header,
    Summary,
    Experience,
    Education,
    Skills,
    Other,
}
