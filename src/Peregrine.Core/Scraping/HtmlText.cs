using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Peregrine.Scraping;

/// <summary>
/// HTML (a job description, a page) to clean readable text with AngleSharp: paragraphs and list items on their own
/// lines, scripts and styles dropped, whitespace collapsed. Descriptions that arrive HTML-escaped (JSON-LD and board
/// APIs often send <c>&amp;lt;p&amp;gt;</c>) are unescaped once more.
/// </summary>
public static class HtmlText
{
    // Block ends give a line break, paragraph-like ends a blank line; raw newlines in the markup give neither.
    private const char ParagraphBreak = '\u2029';

    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "noscript", "template", "svg", "head" };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "blockquote", "pre", "ul", "ol", "li",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "dl", "dt", "dd", "hr", "form", "fieldset",
    };

    public static string ToText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return string.Empty;
        }

        var text = Render(html);
        // Escaped markup renders as literal tags: one more pass reads them as markup.
        if (text.Contains('<') && text.Contains('>') && !html.Contains('<'))
        {
            text = Render(text);
        }

        return text;
    }

    /// <summary>The text of an element already parsed (a page's body).</summary>
    public static string ToText(INode node)
    {
        var builder = new StringBuilder();
        Append(node, builder);
        return Normalise(builder.ToString());
    }

    private static string Render(string html)
    {
        var document = new HtmlParser().ParseDocument($"<!DOCTYPE html><body>{html}</body>");
        return document.Body is { } body ? ToText(body) : string.Empty;
    }

    private static void Append(INode node, StringBuilder builder)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    builder.Append(text.Data);
                    break;
                case IElement element when Skipped.Contains(element.LocalName):
                    break;
                case IElement element when element.LocalName == "br":
                    builder.Append('\n');
                    break;
                case IElement element when Blocks.Contains(element.LocalName):
                    builder.Append('\n');
                    if (element.LocalName == "li")
                    {
                        builder.Append("• ");
                    }

                    Append(element, builder);
                    builder.Append(element.LocalName is "p" or "h1" or "h2" or "h3" or "h4" or "ul" or "ol" ? ParagraphBreak : '\n');
                    break;
                case IElement element:
                    Append(element, builder);
                    break;
            }
        }
    }

    /// <summary>Spaces collapsed within lines, lines trimmed, empty lines dropped, at most one blank line per paragraph end.</summary>
    private static string Normalise(string raw)
    {
        var output = new StringBuilder(raw.Length);
        var paragraphEnded = false;
        foreach (var paragraph in raw.Split(ParagraphBreak))
        {
            foreach (var line in paragraph.Split('\n').Select(CollapseSpaces).Where(l => l.Length > 0))
            {
                if (output.Length > 0)
                {
                    output.Append(paragraphEnded ? "\n\n" : "\n");
                }

                output.Append(line);
                paragraphEnded = false;
            }

            paragraphEnded = true;
        }

        return output.ToString();
    }

    private static string CollapseSpaces(string line)
    {
        var builder = new StringBuilder(line.Length);
        var pendingSpace = false;
        foreach (var c in line)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
