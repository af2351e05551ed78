using System.IO.Compression;

namespace Peregrine.Resume;

/// <summary>The formats a résumé may come in, told by the bytes themselves (a file's name or type header proves nothing).</summary>
public enum ResumeFormat
{
    Unknown,
    Pdf,
    Docx,
    Odt,
}

public static class ResumeFormats
{
    private static ReadOnlySpan<byte> PdfMagic => "%PDF-"u8;
    private static ReadOnlySpan<byte> ZipMagic => [0x50, 0x4B, 0x03, 0x04];

    /// <summary>The name the kept original gets in the user's <c>data/</c> folder, by format.</summary>
    public static string OriginalFileName(ResumeFormat format) => format switch
    {
        ResumeFormat.Pdf => "resume-original.pdf",
        ResumeFormat.Docx => "resume-original.docx",
        ResumeFormat.Odt => "resume-original.odt",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static readonly IReadOnlyList<string> OriginalFileNames =
        [OriginalFileName(ResumeFormat.Pdf), OriginalFileName(ResumeFormat.Docx), OriginalFileName(ResumeFormat.Odt)];

    public static string Label(ResumeFormat format) => format switch
    {
        ResumeFormat.Pdf => "PDF",
        ResumeFormat.Docx => "Word document",
        ResumeFormat.Odt => "OpenDocument text",
        _ => "file",
    };

    /// <summary>
    /// A first look at the head of the file only, so that a photo or a spreadsheet export is refused before any parser
    /// runs: PDF by its header (within the first 1 KB, as readers allow), or a zip, which the parser tells apart.
    /// </summary>
    public static bool LooksLikeADocument(Stream file)
    {
        var head = new byte[1024];
        file.Position = 0;
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position = 0;
        var start = head.AsSpan(0, read);
        return start.IndexOf(PdfMagic) >= 0 || start.StartsWith(ZipMagic);
    }

    public static bool IsPdf(ReadOnlySpan<byte> head) => head[..Math.Min(head.Length, 1024)].IndexOf(PdfMagic) >= 0;

    /// <summary>
    /// DOCX and ODT are zips, told apart by their package markers: ODT's <c>mimetype</c> entry, DOCX's
    /// <c>[Content_Types].xml</c> with a <c>word/</c> part. Only names and the tiny mimetype entry are read.
    /// </summary>
    public static ResumeFormat DetectPackage(ZipArchive zip)
    {
        if (zip.GetEntry("mimetype") is { } mimetype)
        {
            var type = ZipGuard.ReadSmallText(mimetype, maxChars: 100).Trim();
            return type == "application/vnd.oasis.opendocument.text" ? ResumeFormat.Odt : ResumeFormat.Unknown;
        }

        return zip.GetEntry("[Content_Types].xml") is not null && zip.GetEntry("word/document.xml") is not null
            ? ResumeFormat.Docx
            : ResumeFormat.Unknown;
    }
}
