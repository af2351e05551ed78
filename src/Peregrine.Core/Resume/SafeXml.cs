using System.Xml;

namespace Peregrine.Resume;

/// <summary>
/// XML from an uploaded document is read with no DTD at all: a document type declaration is how entity bombs ("billion
/// laughs") and external entities (<c>file:///etc/passwd</c>, a URL on the internal network) get in, and no résumé
/// needs one. <see cref="RefuseDocumentTypes"/> looks at every XML part's prolog before a document library parses it.
/// </summary>
public static class SafeXml
{
    public static XmlReaderSettings Settings => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = ResumeLimits.MaxXmlPartChars,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    /// <summary>Throws <see cref="ResumeFailure.UnsafeXml"/> when the XML in <paramref name="part"/> declares a document type.</summary>
    public static void RefuseDocumentType(Stream part)
    {
        var settings = Settings;
        // Parse (not refuse) a DTD here only to see it: nothing in it is resolved or expanded, and the reader stops there.
        settings.DtdProcessing = DtdProcessing.Parse;
        settings.MaxCharactersFromEntities = 1;
        try
        {
            using var reader = XmlReader.Create(part, settings);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.DocumentType)
                {
                    throw new ResumeUnreadableException(ResumeFailure.UnsafeXml);
                }

                if (reader.NodeType == XmlNodeType.Element)
                {
                    return;
                }
            }
        }
        catch (XmlException)
        {
            throw new ResumeUnreadableException(ResumeFailure.Unreadable);
        }
    }
}
