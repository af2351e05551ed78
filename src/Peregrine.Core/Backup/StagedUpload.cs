using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Backup;

/// <summary>
/// A backup upload read from the multipart stream ourselves, so its bytes (a plaintext DB and credential configs) are
/// staged in the owner's own tree, owner-only, and never in ASP.NET's form buffer under <c>/tmp</c>. The file is
/// removed when disposed; one a crash leaves behind carries the temp marker that the next first open of the user's DB
/// sweeps (<see cref="LegacyConversion.RemoveStaleTemps"/>): lazily, per user, so start-up cost does not grow with idle
/// users. Small form fields (<c>include_db</c>, <c>overwrite</c>) are read alongside.
/// </summary>
public sealed class StagedUpload : IAsyncDisposable
{
    public const string FileField = "file";

    /// <summary>Room for the multipart framing and the small fields on top of the file's own limit.</summary>
    private const long FramingAllowance = 1024 * 1024;

    private const int MaxFieldBytes = 1024;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Dictionary<string, string> _fields;

    private StagedUpload(FileStream file, Dictionary<string, string> fields)
    {
        File = file;
        _fields = fields;
    }

    /// <summary>The staged bytes, positioned at the start.</summary>
    public FileStream File { get; }

    /// <summary>A <c>true</c>/<c>false</c> form field, or <paramref name="fallback"/> when absent.</summary>
    public bool Flag(string name, bool fallback)
    {
        if (!_fields.TryGetValue(name, out var value))
        {
            return fallback;
        }

        return bool.TryParse(value.Trim(), out var flag) ? flag : throw new InvalidBackupException($"{name} must be true or false.");
    }

    /// <summary>The upload in a temp file beside the user's DB, deleted when this is disposed.</summary>
    public static Task<StagedUpload> ReadAsync(HttpContext http, UserContext user, long maxBytes, CancellationToken cancellationToken) =>
        ReadAsync(http, () => CreateStagingFile(user), maxBytes, cancellationToken);

    /// <summary>The upload in the file <paramref name="createFile"/> makes (readable and writable, positioned at 0).</summary>
    public static async Task<StagedUpload> ReadAsync(HttpContext http, Func<FileStream> createFile, long maxBytes, CancellationToken cancellationToken)
    {
        // Kestrel's default body limit (30 MB) sits below the backup limit: this endpoint, and only it, gets its own.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = maxBytes + FramingAllowance;
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary) is not { Length: > 0 and <= 200 } boundary)
        {
            throw new BadHttpRequestException("Expected a multipart/form-data upload.", StatusCodes.Status415UnsupportedMediaType);
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        FileStream? file = null;
        try
        {
            var reader = new MultipartReader(boundary.ToString(), http.Request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).ToString();
                if (disposition.IsFileDisposition() && name == FileField && file is null)
                {
                    file = createFile();
                    await CopyBoundedAsync(section.Body, file, maxBytes, cancellationToken);
                }
                else if (!disposition.IsFileDisposition())
                {
                    fields[name] = await ReadFieldAsync(section.Body, cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not BadHttpRequestException)
        {
            file?.Dispose();
            throw new InvalidBackupException("The upload is not a well-formed multipart form.");
        }
        catch
        {
            file?.Dispose();
            throw;
        }

        if (file is null)
        {
            throw new InvalidBackupException($"The form has no '{FileField}' file.");
        }

        file.Position = 0;
        return new StagedUpload(file, fields);
    }

    public ValueTask DisposeAsync() => File.DisposeAsync();

    private static FileStream CreateStagingFile(UserContext user)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
            BufferSize = 64 * 1024,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return new FileStream(LegacyConversion.NewTempPath(user.Database.Path), options);
    }

    private static async Task CopyBoundedAsync(Stream source, FileStream target, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long copied = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            copied += read;
            if (copied > maxBytes)
            {
                throw new InvalidBackupException($"The upload is larger than the {maxBytes / (1024 * 1024)} MB limit.");
            }

            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static async Task<string> ReadFieldAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = await source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (length > MaxFieldBytes)
        {
            throw new InvalidBackupException("A form field of the upload is too long.");
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }
}
