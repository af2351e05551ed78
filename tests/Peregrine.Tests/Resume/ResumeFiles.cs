using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using Peregrine.Ai.CoverLetters;

namespace Peregrine.Tests.Resume;

/// <summary>
/// Résumés as a word processor exports them, written by the tests themselves: PDF with PDFsharp, DOCX with the OpenXml
/// SDK, ODT as the zip of XML the OpenDocument standard describes. Lines starting with "• " are list items.
/// </summary>
internal static class ResumeFiles
{
    private static readonly System.Threading.Lock FontSetup = new();

    /// <summary>A plain one-column résumé of an invented platform engineer.</summary>
    public static readonly string[] PlatformEngineer =
    [
        "Alex Morgan",
        "Berlin, Germany | alex.morgan@example.com | +49 30 5550 1234 | linkedin.com/in/alex-morgan-example",
        "Summary",
        "Platform engineer with nine years of building reliable infrastructure for logistics and healthcare teams.",
        "Experience",
        "Senior Platform Engineer | Example Freight GmbH | Berlin",
        "Jan 2021 – Present",
        "• Ran Kubernetes clusters for 40 services and halved the time to deploy.",
        "• Wrote Terraform modules and the on-call runbooks; led incident response reviews.",
        "Site Reliability Engineer | Example Health | Remote",
        "Mar 2017 – Dec 2020",
        "• Built observability with Prometheus and Grafana.",
        "• Mentoring for two junior engineers.",
        "Education",
        "BSc Computer Science",
        "Example University, 2016",
        "Skills",
        "Kubernetes, Terraform, Golang, Prometheus, PostgreSQL",
    ];

    /// <summary>A different person and trade, so a test can tell whose résumé a score came from.</summary>
    public static readonly string[] DataEngineer =
    [
        "Sam Okafor",
        "Lisbon, Portugal · sam.okafor@example.org · +351 21 555 0199",
        "Profile",
        "Data engineer who turns messy e-commerce and retail data into pipelines analysts trust.",
        "Work Experience",
        "Data Engineer, Example Shop, Lisbon, 2019 – present",
        "• Moved nightly batch jobs to Airflow and dbt on Snowflake.",
        "• Wrote the data modelling guide for the analytics team.",
        "Analyst — Example Retail — 2016 – 2019",
        "• Reporting in SQL and Tableau for forty stores.",
        "Education",
        "Example Institute of Technology",
        "MSc Data Science, 2016",
        "Technical Skills",
        "Python; SQL; dbt; Snowflake; Airflow",
    ];

    /// <summary>A typical two-page résumé: the platform engineer with more history.</summary>
    public static string[] TwoPages()
    {
        var lines = new List<string>(PlatformEngineer[..13]);
        for (var year = 2016; year > 2004; year -= 2)
        {
            lines.Add($"Systems Engineer | Example Company {year} | Hamburg");
            lines.Add($"Jan {year - 2} – Dec {year - 1}");
            for (var bullet = 0; bullet < 5; bullet++)
            {
                lines.Add($"• Kept {bullet + 3} data centres running with Linux, Ansible and Python; wrote the documentation for each change.");
            }
        }

        lines.AddRange(PlatformEngineer[13..]);
        return [.. lines];
    }

    public static byte[] Pdf(IEnumerable<string> lines)
    {
        EnsureFonts();
        using var document = new PdfDocument();
        var font = new XFont(LiberationSansResolver.Family, 10.5, XFontStyleEx.Regular);
        var bold = new XFont(LiberationSansResolver.Family, 12, XFontStyleEx.Bold);
        XGraphics? graphics = null;
        var y = double.MaxValue;
        foreach (var line in lines)
        {
            if (y > 770)
            {
                graphics?.Dispose();
                var page = document.AddPage();
                page.Width = XUnit.FromPoint(595);
                page.Height = XUnit.FromPoint(842);
                graphics = XGraphics.FromPdfPage(page);
                y = 56;
            }

            var heading = line.Length < 25 && !line.Contains(',', StringComparison.Ordinal);
            graphics!.DrawString(line, heading ? bold : font, XBrushes.Black, new XRect(56, y, 483, 16), XStringFormats.TopLeft);
            y += heading ? 20 : 15;
        }

        graphics?.Dispose();
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    public static byte[] Docx(IEnumerable<string> lines)
    {
        using var output = new MemoryStream();
        using (var document = WordprocessingDocument.Create(output, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var body = new Body();
            foreach (var line in lines)
            {
                var paragraph = new Paragraph();
                var text = line;
                if (line.StartsWith("• ", StringComparison.Ordinal))
                {
                    paragraph.ParagraphProperties = new ParagraphProperties(new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = 1 }));
                    text = line[2..];
                }

                paragraph.Append(new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
                body.Append(paragraph);
            }

            main.Document = new Document(body);
            main.Document.Save();
        }

        return output.ToArray();
    }

    public static byte[] Odt(IEnumerable<string> lines, string? doctype = null, bool raw = false)
    {
        var content = new StringBuilder();
        content.Append("""<?xml version="1.0" encoding="UTF-8"?>""").Append('\n');
        content.Append(doctype);
        content.Append("""<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:text>""");
        foreach (var line in lines)
        {
            var item = line.StartsWith("• ", StringComparison.Ordinal) ? line[2..] : line;
            var escaped = raw ? item : System.Security.SecurityElement.Escape(item);
            content.Append(line.StartsWith("• ", StringComparison.Ordinal)
                ? $"<text:list><text:list-item><text:p>{escaped}</text:p></text:list-item></text:list>"
                : $"<text:p>{escaped}</text:p>");
        }

        content.Append("</office:text></office:body></office:document-content>");
        return Zip(
            ("mimetype", Encoding.ASCII.GetBytes("application/vnd.oasis.opendocument.text"), CompressionLevel.NoCompression),
            ("META-INF/manifest.xml", Encoding.UTF8.GetBytes("""<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"""), CompressionLevel.Optimal),
            ("content.xml", Encoding.UTF8.GetBytes(content.ToString()), CompressionLevel.Optimal));
    }

    public static byte[] Zip(params (string Name, byte[] Bytes, CompressionLevel Level)[] entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes, level) in entries)
            {
                using var stream = zip.CreateEntry(name, level).Open();
                stream.Write(bytes);
            }
        }

        return output.ToArray();
    }

    private static void EnsureFonts()
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
