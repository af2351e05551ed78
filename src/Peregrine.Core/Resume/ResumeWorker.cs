using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Peregrine.Resume;

/// <summary>What the parser made of a file: its format, the rule-based profile, and the text (for optional AI structuring).</summary>
public sealed record ParsedResume(ResumeFormat Format, ResumeProfile Profile, string Text);

/// <summary>The helper's one line of output: a parse, or why there is none.</summary>
public sealed record WorkerAnswer(ParsedResume? Resume, ResumeFailure? Failure);

/// <summary>
/// The résumé parser's entry point, run in a helper process (<c>dotnet Peregrine.Api.dll --parse-resume &lt;file&gt;</c>)
/// that <see cref="ResumeParsing"/> starts for each upload. The file is hostile until proven otherwise, and a parser
/// bug it triggers must not cost anyone else: in the helper, an endless loop is killed at the time limit, an
/// inflation bomb meets a small heap limit, and even a stack overflow (which no catch can stop) ends only the helper.
/// </summary>
public static class ResumeWorker
{
    public const string Flag = "--parse-resume";

    /// <summary>The text kept for AI structuring: a two-page résumé is 5,000–8,000 characters.</summary>
    public const int MaxStructuringChars = 20_000;

    private const int MinLetters = 20;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static bool IsInvoked(string[] args) => args is [Flag, _];

    /// <summary>The helper's whole life: read the file named in <paramref name="args"/>, write one JSON answer on stdout.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        WorkerAnswer answer;
        try
        {
            answer = new WorkerAnswer(Parse(await File.ReadAllBytesAsync(args[1])), null);
        }
        catch (ResumeUnreadableException e)
        {
            answer = new WorkerAnswer(null, e.Failure);
        }

        await using var output = Console.OpenStandardOutput();
        await JsonSerializer.SerializeAsync(output, answer, Json);
        return 0;
    }

    /// <summary>Extracts the text of a PDF, DOCX or ODT and parses it; <see cref="ResumeUnreadableException"/> says why not.</summary>
    public static ParsedResume Parse(byte[] file)
    {
        var (format, lines) = ResumeFormats.IsPdf(file) ? (ResumeFormat.Pdf, PdfResumeText.Lines(file)) : ReadPackage(file);
        if (lines.Sum(l => l.Count(char.IsLetter)) < MinLetters)
        {
            throw new ResumeUnreadableException(ResumeFailure.NoText);
        }

        var text = string.Join('\n', lines.Where(l => l.Length > 0));
        return new ParsedResume(format, ResumeTextParser.Parse(lines), text.Length > MaxStructuringChars ? text[..MaxStructuringChars] : text);
    }

    private static (ResumeFormat, IReadOnlyList<string>) ReadPackage(byte[] file)
    {
        using var stream = new MemoryStream(file, writable: false);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            throw new ResumeUnreadableException(ResumeFailure.NotADocument);
        }

        using (zip)
        {
            try
            {
                ZipGuard.Check(zip);
                switch (ResumeFormats.DetectPackage(zip))
                {
                    case ResumeFormat.Odt:
                        return (ResumeFormat.Odt, OdtResumeText.Lines(zip));
                    case ResumeFormat.Docx:
                        DocxResumeText.RefuseDocumentTypes(zip);
                        break;
                    default:
                        throw new ResumeUnreadableException(ResumeFailure.NotADocument);
                }
            }
            catch (InvalidDataException)
            {
                // A damaged entry (bad deflate data, a CRC that does not match).
                throw new ResumeUnreadableException(ResumeFailure.Unreadable);
            }
        }

        stream.Position = 0;
        return (ResumeFormat.Docx, DocxResumeText.Lines(stream));
    }
}
