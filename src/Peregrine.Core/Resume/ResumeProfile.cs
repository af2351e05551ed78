namespace Peregrine.Resume;

/// <summary>
/// The résumé profile in upstream's API shape (<c>GET/PUT /api/settings/resume</c>, snake_case on the wire and in
/// <c>config/plain_text_resume.yaml</c>), plus the education entries and career summary its parser adds. Skills, domains
/// and keywords are also what every job is scored against (<c>config/resume_keywords.yaml</c>).
/// </summary>
public sealed record ResumeProfile
{
    public string Name { get; init; } = string.Empty;

    public string Email { get; init; } = string.Empty;

    public string Phone { get; init; } = string.Empty;

    public string LinkedinUrl { get; init; } = string.Empty;

    public string Surname { get; init; } = string.Empty;

    public string Address { get; init; } = string.Empty;

    public string City { get; init; } = string.Empty;

    public string ZipCode { get; init; } = string.Empty;

    public string DateOfBirth { get; init; } = string.Empty;

    public string CareerSummary { get; init; } = string.Empty;

    public IReadOnlyList<WorkEntry> Experience { get; init; } = [];

    public IReadOnlyList<EducationEntry> Education { get; init; } = [];

    public long SalaryMin { get; init; }

    public long SalaryMax { get; init; }

    public string NoticePeriod { get; init; } = string.Empty;

    public bool Remote { get; init; }

    public bool Relocation { get; init; }

    public bool Assessment { get; init; }

    public bool BackgroundCheck { get; init; }

    public string Gender { get; init; } = string.Empty;

    public string Pronouns { get; init; } = string.Empty;

    public string Ethnicity { get; init; } = string.Empty;

    public string VeteranStatus { get; init; } = string.Empty;

    public string Disability { get; init; } = string.Empty;

    public IReadOnlyList<string> Skills { get; init; } = [];

    public IReadOnlyList<string> Domains { get; init; } = [];

    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>Upstream's SPA tells "no résumé yet" (<c>{exists: false}</c>) from an empty one by this.</summary>
    public bool Exists => true;

    public static readonly ResumeProfile Empty = new();

    /// <summary>Whether anything at all was filled in (a blank résumé is not a finished step).</summary>
    public bool HasContent =>
        Experience.Count > 0 || Education.Count > 0 || Skills.Count > 0 || Keywords.Count > 0 || CareerSummary.Length > 0;
}

/// <summary>One job held: upstream's WorkEntry (responsibilities one per line).</summary>
public sealed record WorkEntry
{
    public string Title { get; init; } = string.Empty;

    public string Company { get; init; } = string.Empty;

    public string Period { get; init; } = string.Empty;

    public string Location { get; init; } = string.Empty;

    public string Industry { get; init; } = string.Empty;

    public string Responsibilities { get; init; } = string.Empty;

    public IReadOnlyList<string> Skills { get; init; } = [];
}

/// <summary>One degree or course, as upstream's parser writes it.</summary>
public sealed record EducationEntry
{
    public string Degree { get; init; } = string.Empty;

    public string Field { get; init; } = string.Empty;

    public string Institution { get; init; } = string.Empty;

    public string GraduationYear { get; init; } = string.Empty;
}

/// <summary><c>{exists: false}</c>: what upstream answers before any résumé was saved.</summary>
public sealed record NoResume(bool Exists);
