namespace Peregrine.Resume;

/// <summary>
/// Limits on résumé uploads (configuration section <c>Resume</c>). An upload is untrusted: these bound what one file
/// can cost the process that serves everyone else.
/// </summary>
public sealed class ResumeOptions
{
    public const string SectionName = "Resume";

    /// <summary>A real two-page résumé is 50–500 KB; scanned ones reach a few MB.</summary>
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>How long one parse may take, the helper process's start included; it is killed after.</summary>
    public TimeSpan ParseTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The managed heap the helper process may use (a bomb that inflates past it stops there).</summary>
    public long WorkerHeapBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Parses running at once in this process; more wait up to <see cref="QueueWait"/>, then are told to retry.</summary>
    public int MaxConcurrentParses { get; set; } = 2;

    public TimeSpan QueueWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the optional AI structuring may take before the rule-based profile is kept as it is.</summary>
    public TimeSpan StructuringTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>What the parser reads from a file, whatever its format (the limits live here so the helper needs no configuration).</summary>
public static class ResumeLimits
{
    /// <summary>Pages of a PDF read; a résumé has two, a long CV ten.</summary>
    public const int MaxPdfPages = 30;

    /// <summary>Text kept from any file: about twenty pages of dense prose.</summary>
    public const int MaxTextChars = 100_000;

    /// <summary>Entries a DOCX or ODT may hold (a real one has 10–40).</summary>
    public const int MaxZipEntries = 1000;

    /// <summary>Bytes all entries may inflate to, counted as they are read (declared sizes can lie).</summary>
    public const long MaxUncompressedBytes = 64L * 1024 * 1024;

    /// <summary>One entry's inflated bytes per compressed byte; real documents stay well under 20.</summary>
    public const int MaxCompressionRatio = 200;

    /// <summary>Characters one XML part may hold after entity expansion (there is none: DTDs are refused).</summary>
    public const long MaxXmlPartChars = 32L * 1024 * 1024;
}
