using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;
using UglyToad.PdfPig.Exceptions;

namespace Peregrine.Resume;

/// <summary>
/// The text of a PDF résumé, line by line in content order (PdfPig): the reading order of a one-column document, which
/// is what a word processor's export gives. At most <see cref="ResumeLimits.MaxPdfPages"/> pages. Any failure of the
/// parser on a damaged file is one answer, <see cref="ResumeFailure.MalformedPdf"/>.
/// </summary>
public static class PdfResumeText
{
    public static IReadOnlyList<string> Lines(byte[] pdf)
    {
        var text = new TextBudget(ResumeLimits.MaxTextChars);
        try
        {
            var options = new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true, ClipPaths = false, MaxStackDepth = 128 };
            using var document = PdfDocument.Open(pdf, options);
            for (var number = 1; number <= Math.Min(document.NumberOfPages, ResumeLimits.MaxPdfPages) && !text.IsFull; number++)
            {
                var page = document.GetPage(number);
                text.AddLines(ContentOrderTextExtractor.GetText(page));
            }
        }
        catch (PdfDocumentEncryptedException)
        {
            throw new ResumeUnreadableException(ResumeFailure.PasswordProtected);
        }
        catch (Exception e) when (e is not (ResumeUnreadableException or OutOfMemoryException))
        {
            // PdfPig reports a broken file through many exception types (format, stack depth, index, null, cast, ...):
            // for the person uploading it they all mean the same thing.
            throw new ResumeUnreadableException(ResumeFailure.MalformedPdf);
        }

        return text.Lines;
    }
}

/// <summary>Collects lines up to a character budget, so no file yields more text than a résumé has.</summary>
internal sealed class TextBudget(int maxChars)
{
    private readonly List<string> _lines = [];
    private int _chars;

    public bool IsFull => _chars >= maxChars;

    public IReadOnlyList<string> Lines => _lines;

    public void AddLines(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            Add(line);
        }
    }

    public void Add(string line)
    {
        if (IsFull)
        {
            return;
        }

        var clean = line.Trim();
        if (clean.Length > maxChars - _chars)
        {
            clean = clean[..(maxChars - _chars)];
        }

        _lines.Add(clean);
        _chars += clean.Length + 1;
    }
}
