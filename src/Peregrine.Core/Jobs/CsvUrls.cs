namespace Peregrine.Jobs;

/// <summary>RFC 4180 rows (quoted cells, doubled quotes, CRLF or LF), reduced to the first cell of each that starts with http.</summary>
internal static class CsvUrls
{
    public static IEnumerable<string> FirstUrlPerRow(TextReader reader)
    {
        foreach (var row in Rows(reader))
        {
            if (row.Select(cell => cell.Trim()).FirstOrDefault(cell => cell.StartsWith("http", StringComparison.OrdinalIgnoreCase)) is { } url)
            {
                yield return url;
            }
        }
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
