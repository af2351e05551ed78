using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;
using Peregrine.Yaml;

namespace Peregrine.Errors;

/// <summary>A failure the service can explain: its status, and words for the person who sees it.</summary>
public sealed record KnownFailure(int Status, string Title, string Detail);

/// <summary>Which exceptions mean what (<see cref="ErrorHandling"/> turns them into problems).</summary>
public static class KnownFailures
{
    private const int SqliteReadOnly = 8, SqliteCorrupt = 11, SqliteFull = 13, SqliteNotADatabase = 26;
    private const int NoSpace = 28, ReadOnlyFileSystem = 30, QuotaExceeded = 122; // errno, which .NET uses as the IOException HResult on Unix

    public static readonly KnownFailure StorageFull = new(
        StatusCodes.Status507InsufficientStorage,
        "Storage is full",
        "The server's storage is full, so nothing was saved; your existing data is unchanged. Please try again later.");

    public static readonly KnownFailure StorageReadOnly = new(
        StatusCodes.Status503ServiceUnavailable,
        "Storage is read-only",
        "The server's storage is read-only for now, so nothing was saved; your existing data is unchanged. Please try again later.");

    // 503, not 500: the service works and the account works (sign-in, settings, restore, erasure); what is unavailable is
    // this user's data, and the user can bring it back. Not 4xx: the request itself was fine.
    public static readonly KnownFailure DatabaseUnavailable = new(
        StatusCodes.Status503ServiceUnavailable,
        "Your data cannot be opened",
        "Your Peregrine database is damaged or unreadable, so your data cannot be shown. Your account and settings still work: restore a backup in Settings → Data (Restore), or contact support.");

    public static KnownFailure? Describe(Exception exception)
    {
        if (exception is BadHttpRequestException badRequest)
        {
            return DescribeBadRequest(badRequest);
        }

        if (exception is InvalidYamlException yaml)
        {
            // Thrown where YAML a request carries (or would write) is refused; a stored file's reader handles its own.
            return new KnownFailure(StatusCodes.Status400BadRequest, "Unusable YAML", $"{yaml.Message}. Nothing was saved.");
        }

        // Storage first: a full disk during a DB's preparation is a full disk, not a damaged DB.
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException { SqliteErrorCode: SqliteFull }:
                case IOException { HResult: NoSpace or QuotaExceeded }:
                    return StorageFull;
                case SqliteException { SqliteErrorCode: SqliteReadOnly }:
                case IOException { HResult: ReadOnlyFileSystem }:
                    return StorageReadOnly;
            }
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (DatabasePreparation.IsFailure(e) || e is SqliteException { SqliteErrorCode: SqliteCorrupt or SqliteNotADatabase })
            {
                return DatabaseUnavailable;
            }
        }

        return null;
    }

    /// <summary>The detail of a bare status code the framework answers by itself (no route, wrong method, wrong content type).</summary>
    public static string? DetailFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request could not be read.",
        StatusCodes.Status404NotFound => "There is no such resource.",
        StatusCodes.Status405MethodNotAllowed => "This endpoint does not accept that HTTP method.",
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
        StatusCodes.Status415UnsupportedMediaType => "This endpoint does not accept that content type: send JSON as application/json, uploads as multipart/form-data.",
        _ => null,
    };

    private static KnownFailure DescribeBadRequest(BadHttpRequestException exception) => exception.StatusCode switch
    {
        StatusCodes.Status415UnsupportedMediaType => new(exception.StatusCode, "Unsupported content type", DetailFor(exception.StatusCode)!),
        StatusCodes.Status413PayloadTooLarge => new(exception.StatusCode, "Request too large", DetailFor(exception.StatusCode)!),
        _ when exception.InnerException is JsonException json => new(
            StatusCodes.Status400BadRequest,
            "Malformed JSON",
            json.Path is { Length: > 0 } path
                ? $"The request body is not valid JSON for this endpoint (property {path}): check the value's type and the syntax."
                : "The request body is not valid JSON for this endpoint."),
        _ => new(
            exception.StatusCode,
            "Malformed request",
            "The request could not be read: a required body is missing, or a query, route or form value has the wrong type."),
    };
}
