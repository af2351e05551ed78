using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Peregrine.Ai.CoverLetters;

/// <summary>
/// Upstream's letter layout: US Letter, 1-inch margins, Helvetica 11 pt on a 16 pt leading in #1a2338, a paragraph per
/// blank-line-separated block, and (unlike upstream, which joined them) every line break the user typed kept: a
/// sign-off or an address block prints as written. PDFsharp 6 embeds a real font file, and Linux has no Helvetica: Liberation Sans (Debian's
/// fonts-liberation2) has Helvetica's metrics, so lines break where they would with Helvetica.
/// </summary>
public static class CoverLetterPdf
{
    private const double PageWidth = 612;
    private const double PageHeight = 792;
    private const double Margin = 72;
    private const double FontSize = 11;
    private const double Leading = 16;

    private static readonly XColor Ink = XColor.FromArgb(0x1a, 0x23, 0x38);
    private static readonly Lock FontSetup = new();

    public static byte[] Render(string letter)
    {
        EnsureFontResolver();
        using var document = new PdfDocument();
        document.Info.Title = "Cover letter";
        var font = new XFont(LiberationSansResolver.Family, FontSize, XFontStyleEx.Regular);
        var brush = new XSolidBrush(Ink);
        var width = PageWidth - (2 * Margin);

        // Measuring needs a graphics context; a measure-only one costs no page.
        using var measure = XGraphics.CreateMeasureContext(new XSize(PageWidth, PageHeight), XGraphicsUnit.Point, XPageDirection.Downwards);
        XGraphics? graphics = null;
        var y = double.MaxValue;
        void NewLineSpace()
        {
            if (y + Leading > PageHeight - Margin)
            {
                graphics?.Dispose();
                var page = document.AddPage();
                page.Width = XUnit.FromPoint(PageWidth);
                page.Height = XUnit.FromPoint(PageHeight);
                graphics = XGraphics.FromPdfPage(page);
                y = Margin;
            }
        }

        foreach (var paragraph in Paragraphs(letter))
        {
            foreach (var line in paragraph.SelectMany(typed => Wrap(typed, text => measure.MeasureString(text, font).Width, width)))
            {
                NewLineSpace();
                graphics!.DrawString(line, font, brush, new XRect(Margin, y, width, Leading), XStringFormats.TopLeft);
                y += Leading;
            }

            y += Leading;
        }

        if (document.PageCount == 0)
        {
            NewLineSpace();
        }

        graphics?.Dispose();
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>Blocks separated by one or more blank lines, each as the lines the user typed (a long line wraps).</summary>
    public static IEnumerable<IReadOnlyList<string>> Paragraphs(string letter)
    {
        List<string> paragraph = [];
        foreach (var line in letter.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (paragraph.Count > 0)
                {
                    yield return paragraph;
                    paragraph = [];
                }
            }
            else
            {
                paragraph.Add(line.Trim());
            }
        }

        if (paragraph.Count > 0)
        {
            yield return paragraph;
        }
    }

    public static IEnumerable<string> Wrap(string paragraph, Func<string, double> width, double maxWidth)
    {
        var line = string.Empty;
        foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && width(candidate) > maxWidth)
            {
                yield return line;
                line = word;
            }
            else
            {
                line = candidate;
            }
        }

        if (line.Length > 0)
        {
            yield return line;
        }
    }

    /// <summary>PDFsharp's resolver is process-wide and may be set once, before the first font is made.</summary>
    private static void EnsureFontResolver()
    {
        lock (FontSetup)
        {
            if (GlobalFontSettings.FontResolver is not LiberationSansResolver)
            {
                GlobalFontSettings.FontResolver = new LiberationSansResolver();
            }
        }
    }
}

/// <summary>Every family resolves to Liberation Sans, regular or bold, from Debian's font folders.</summary>
internal sealed class LiberationSansResolver : IFontResolver
{
    public const string Family = "Liberation Sans";

    private static readonly string[] Folders =
    [
        "/usr/share/fonts/truetype/liberation2",
        "/usr/share/fonts/truetype/liberation",
    ];

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "LiberationSans-Bold" : "LiberationSans-Regular");

    public byte[] GetFont(string faceName)
    {
        foreach (var folder in Folders)
        {
            var path = Path.Combine(folder, faceName + ".ttf");
            if (File.Exists(path))
            {
                return File.ReadAllBytes(path);
            }
        }

        throw new FileNotFoundException($"Font {faceName}.ttf not found: install Debian's fonts-liberation2 (eng/prereqs.sh does)");
    }
}
