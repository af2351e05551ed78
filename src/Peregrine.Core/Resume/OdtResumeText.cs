using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Peregrine.Resume;

/// <summary>
/// The text of an OpenDocument résumé: <c>content.xml</c> of the zip, read with <see cref="SafeXml"/> settings (no DTD,
/// no resolver), one line per paragraph or heading; list items are marked as bullets, <c>text:s</c>, <c>text:tab</c>
/// and <c>text:line-break</c> become what they stand for.
/// </summary>
public static class OdtResumeText
{
    private const string TextNamespace = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";

    public static IReadOnlyList<string> Lines(ZipArchive odt)
    {
        var content = odt.GetEntry("content.xml") ?? throw new ResumeUnreadableException(ResumeFailure.NotADocument);
        using (var prolog = content.Open())
        {
            SafeXml.RefuseDocumentType(prolog);
        }

        var text = new TextBudget(ResumeLimits.MaxTextChars);
        try
        {
            using var stream = content.Open();
            using var reader = XmlReader.Create(stream, SafeXml.Settings);
            var line = new StringBuilder();
            var depthInList = 0;
            while (reader.Read() && !text.IsFull)
            {
                var isText = reader.NamespaceURI == TextNamespace;
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element when isText && reader.LocalName == "list-item":
                        depthInList++;
                        break;
                    case XmlNodeType.EndElement when isText && reader.LocalName == "list-item":
                        depthInList = Math.Max(0, depthInList - 1);
                        break;
                    case XmlNodeType.Element when isText && reader.LocalName is "p" or "h":
                        line.Clear();
                        if (depthInList > 0)
                        {
                            line.Append("• ");
                        }

                        if (reader.IsEmptyElement)
                        {
                            text.Add(line.ToString());
                        }

                        break;
                    case XmlNodeType.EndElement when isText && reader.LocalName is "p" or "h":
                        text.Add(line.ToString());
                        line.Clear();
                        break;
                    case XmlNodeType.Element when isText && reader.LocalName == "s":
                        line.Append(' ', Math.Clamp(int.TryParse(reader.GetAttribute("c", TextNamespace), out var count) ? count : 1, 1, 20));
                        break;
                    case XmlNodeType.Element when isText && reader.LocalName == "tab":
                        line.Append('\t');
                        break;
                    case XmlNodeType.Element when isText && reader.LocalName == "line-break":
                        text.Add(line.ToString());
                        line.Clear();
                        break;
                    case XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace:
                        line.Append(reader.Value);
                        break;
                }
            }
        }
        catch (XmlException)
        {
            throw new ResumeUnreadableException(ResumeFailure.Unreadable);
        }

        return text.Lines;
    }
}
