namespace Peregrine.Jobs;

/// <summary>One row of a job spreadsheet: the listing's address and whatever details its columns gave.</summary>
public sealed record CsvJob(string Url, string? Title, string? Company, string? Location, string? Description);

/// <summary>
/// A spreadsheet export of jobs (RFC 4180: quoted cells, doubled quotes, CRLF or LF). When the first row names columns
/// (url or link, title or position, company or employer, location, description), each row's cells are read by those
/// names; the address is the url column, else the first cell of the row that starts with http (upstream's only rule,
/// which also reads files without a header).
/// </summary>
internal static class CsvJobs
{
    private const int MaxShortCell = 320;
    private const int MaxDescription = 100_000;

    private static readonly Dictionary<string, string> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["url"] = "url",
        ["link"] = "url",
        ["job url"] = "url",
        ["job link"] = "url",
        ["listing"] = "url",
        ["address"] = "url",
        ["title"] = "title",
        ["job title"] = "title",
        ["position"] = "title",
        ["role"] = "title",
        ["company"] = "company",
        ["company name"] = "company",
        ["employer"] = "company",
        ["organisation"] = "company",
        ["organization"] = "company",
        ["location"] = "location",
        ["city"] = "location",
        ["place"] = "location",
        ["description"] = "description",
        ["job description"] = "description",
    };

    public static IEnumerable<CsvJob> Read(TextReader reader)
    {
        Dictionary<string, int>? header = null;
        var first = true;
        foreach (var row in Rows(reader))
        {
            if (first)
            {
                first = false;
                header = Header(row);
                if (header is not null)
                {
                    continue;
                }
            }

            string? Cell(string column, int max)
            {
                if (header is null || !header.TryGetValue(column, out var index) || index >= row.Count)
                {
                    return null;
                }

                var value = row[index].Trim();
                // A web address in the title column of a row is a row without a title (a file without a header).
                return value.Length == 0 || (column != "url" && value.StartsWith("http", StringComparison.OrdinalIgnoreCase)) ? null
                    : value.Length > max ? value[..max] : value;
            }

            var url = Cell("url", 2048) is { } named && named.StartsWith("http", StringComparison.OrdinalIgnoreCase)
                ? named
                : row.Select(cell => cell.Trim()).FirstOrDefault(cell => cell.StartsWith("http", StringComparison.OrdinalIgnoreCase));
            if (url is not null)
            {
                yield return new CsvJob(url, Cell("title", MaxShortCell), Cell("company", MaxShortCell), Cell("location", MaxShortCell), Cell("description", MaxDescription));
            }
        }
    }

    /// <summary>Column positions when the row is a header (it names at least one known column and holds no address).</summary>
    private static Dictionary<string, int>? Header(List<string> row)
    {
        if (row.Any(cell => cell.TrimStart().StartsWith("http", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var header = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < row.Count; i++)
        {
            if (Columns.TryGetValue(row[i].Trim().TrimStart('\uFEFF'), out var column))
            {
                header.TryAdd(column, i);
            }
        }

        return header.Count > 0 ? header : null;
    }

    private static IEnumerable<List<string>> Rows(TextReader reader)
    {
        var row = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        int read;
        while ((read = reader.Read()) >= 0)
        {
            var c = (char)read;
            if (quoted)
            {
                if (c == '"' && reader.Peek() == '"')
                {
                    cell.Append('"');
                    reader.Read();
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                row.Add(cell.ToString());
                cell.Clear();
                yield return row;
                row = [];
            }
            else
            {
                cell.Append(c);
            }
        }

        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString());
            yield return row;
        }
    }
}
