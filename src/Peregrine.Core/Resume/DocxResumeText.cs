using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Peregrine.Resume;

/// <summary>
/// The text of a Word résumé (the OpenXml SDK), one line per paragraph, headers first (where contact details often
/// sit), list paragraphs marked as bullets. The package passed <see cref="ZipGuard"/> and <see cref="SafeXml"/> first.
/// </summary>
public static class DocxResumeText
{
    public static IReadOnlyList<string> Lines(Stream docx)
    {
        var text = new TextBudget(ResumeLimits.MaxTextChars);
        try
        {
            var settings = new OpenSettings { AutoSave = false, MaxCharactersInPart = ResumeLimits.MaxXmlPartChars };
            using var document = WordprocessingDocument.Open(docx, isEditable: false, settings);
            var main = document.MainDocumentPart ?? throw new ResumeUnreadableException(ResumeFailure.NotADocument);
            foreach (var header in main.HeaderParts)
            {
                AddParagraphs(header.Header, text);
            }

            AddParagraphs(main.Document?.Body, text);
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or System.Xml.XmlException or IOException or FormatException or InvalidOperationException)
        {
            throw new ResumeUnreadableException(ResumeFailure.Unreadable);
        }

        return text.Lines;
    }

    /// <summary>Every XML part of the package, checked for a document type before the SDK parses any of them.</summary>
    public static void RefuseDocumentTypes(ZipArchive zip)
    {
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || e.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase)))
        {
            using var part = entry.Open();
            SafeXml.RefuseDocumentType(part);
        }
    }

    private static void AddParagraphs(OpenXmlElement? root, TextBudget text)
    {
        if (root is null)
        {
            return;
        }

        foreach (var paragraph in root.Descendants<Paragraph>())
        {
            if (text.IsFull)
            {
                return;
            }

            var line = new StringBuilder();
            if (paragraph.ParagraphProperties?.NumberingProperties is not null)
            {
                line.Append("• ");
            }

            foreach (var element in paragraph.Descendants())
            {
                switch (element)
                {
                    case Text run:
                        line.Append(run.Text);
                        break;
                    case TabChar:
                        line.Append('\t');
                        break;
                    case Break or CarriageReturn:
                        text.Add(line.ToString());
                        line.Clear();
                        break;
                }
            }

            text.Add(line.ToString());
        }
    }
}
