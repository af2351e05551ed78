using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Jobs;

/// <summary>Upstream's <c>/jobs/upload-csv</c>: the URLs of a spreadsheet export, imported as <c>/jobs/add</c> does.</summary>
public static partial class JobsApi
{
    public const long MaxCsvBytes = 1024 * 1024;

    /// <summary>
    /// Multipart field <c>file</c>; per row, the first cell that starts with <c>http</c> → <c>{queued, total}</c>, total
    /// being the rows that had a URL. The form is read by hand (not bound), and a cross-site <c>Origin</c> is refused:
    /// unlike a JSON body, a multipart POST is something any web page can make a browser send with the user's cookie.
    /// </summary>
    public static async Task<Results<Accepted<CsvQueuedResponse>, ProblemHttpResult>> UploadCsv(
        HttpRequest request, UserContext user, UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, CancellationToken cancellationToken)
    {
        if (IsCrossSite(request))
        {
            return TypedResults.Problem("Cross-site uploads are not accepted", statusCode: StatusCodes.Status403Forbidden);
        }

        if (!request.HasFormContentType || request.ContentLength > MaxCsvBytes + (64 * 1024))
        {
            return Problems.BadRequest($"Send a multipart form with a CSV 'file' of at most {MaxCsvBytes / 1024} KB");
        }

        var form = await request.ReadFormOrBadRequestAsync(cancellationToken);
        if (form.Files.GetFile("file") is not { } file || file.Length > MaxCsvBytes)
        {
            return Problems.BadRequest($"Send a multipart form with a CSV 'file' of at most {MaxCsvBytes / 1024} KB");
        }

        List<string> urls;
        using (var reader = new StreamReader(file.OpenReadStream()))
        {
            urls = [.. CsvUrls.FirstUrlPerRow(reader)];
        }

        if (urls.Count > MaxUrlsPerImport)
        {
            return Problems.BadRequest($"at most {MaxUrlsPerImport} urls per upload");
        }

        var queued = await ImportUrlsAsync(urls, user, databases, wakeup, time, cancellationToken);
        return TypedResults.Accepted((string?)null, new CsvQueuedResponse(queued, urls.Count));
    }

    private static bool IsCrossSite(HttpRequest request) =>
        request.Headers.Origin.ToString() is { Length: > 0 } origin
        && (!Uri.TryCreate(origin, UriKind.Absolute, out var source) || !string.Equals(source.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
}

public sealed record CsvQueuedResponse(long Queued, long Total);

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
