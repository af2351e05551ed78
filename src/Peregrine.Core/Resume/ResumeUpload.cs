using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Peregrine.Backup;

namespace Peregrine.Resume;

/// <summary>
/// Reads a résumé upload into a file of the user's own tree, as the restore upload is read (<see cref="StagedUpload"/>:
/// never the framework's form buffer under <c>/tmp</c>), refusing anything past the size limit. An upload announced as
/// too large is read and thrown away (up to a bound) rather than cut off, so a browser shows the answer instead of a
/// reset connection.
/// </summary>
public static class ResumeUpload
{
    public const string StructureField = "structure";

    /// <summary>How much of an oversized upload is read to answer it politely; past this the connection is dropped.</summary>
    private const long MaxDrainBytes = 128L * 1024 * 1024;

    private const long FramingAllowance = 1024 * 1024;

    /// <summary>What was staged at <c>path</c>: the failure, if any, and whether AI structuring was asked for.</summary>
    public sealed record Staged(ResumeFailure? Failure, bool Structure);

    public static async Task<Staged> StageAsync(HttpContext http, string path, long maxBytes, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > maxBytes + FramingAllowance)
        {
            await DrainAsync(http, cancellationToken);
            return new Staged(ResumeFailure.TooLarge, false);
        }

        try
        {
            await using var upload = await StagedUpload.ReadAsync(http, () => CreateStagingFile(path), maxBytes, cancellationToken);
            if (upload.File.Length == 0)
            {
                return new Staged(ResumeFailure.NoFile, false);
            }

            var structure = upload.Flag(StructureField, fallback: false);
            return new Staged(ResumeFormats.LooksLikeADocument(upload.File) ? null : ResumeFailure.NotADocument, structure);
        }
        catch (InvalidBackupException)
        {
            return new Staged(File.Exists(path) && new FileInfo(path).Length >= maxBytes ? ResumeFailure.TooLarge : ResumeFailure.NoFile, false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new Staged(ResumeFailure.TooLarge, false);
        }
    }

    private static async Task DrainAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = MaxDrainBytes;
        }

        try
        {
            var buffer = new byte[64 * 1024];
            while (await http.Request.Body.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (BadHttpRequestException)
        {
            // Past the drain bound: Kestrel closes the connection after the answer.
        }
    }

    private static FileStream CreateStagingFile(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous,
            BufferSize = 64 * 1024,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
