using Microsoft.AspNetCore.Http;
using Peregrine.Errors;

namespace Peregrine.Resume;

/// <summary>Why an uploaded résumé could not be read; each has words a job seeker can act on (<see cref="ResumeFailures"/>).</summary>
public enum ResumeFailure
{
    NoFile,
    TooLarge,
    NotADocument,
    MalformedPdf,
    PasswordProtected,
    NoText,
    UnsafePackage,
    UnsafeXml,
    TimedOut,
    Busy,
    Unreadable,
}

/// <summary>A file the parser refuses, with the reason; thrown inside the helper process and reported to the service.</summary>
public sealed class ResumeUnreadableException(ResumeFailure failure) : Exception(failure.ToString())
{
    public ResumeFailure Failure => failure;
}

public static class ResumeFailures
{
    private const string Instead = "Nothing was changed. You can fill in the form below instead, or upload a PDF, Word (DOCX) or OpenDocument (ODT) file.";

    public static string Message(ResumeFailure failure, long maxUploadBytes) => failure switch
    {
        ResumeFailure.NoFile => "Choose a résumé file first.",
        ResumeFailure.TooLarge => $"That file is larger than {maxUploadBytes / (1024 * 1024)} MB. Save it again without images, or as a DOCX, and upload that. Nothing was changed.",
        ResumeFailure.NotADocument => $"That file is not a PDF, Word (DOCX) or OpenDocument (ODT) document. {Instead}",
        ResumeFailure.MalformedPdf => $"That PDF could not be read: it looks damaged or incomplete. Export it again from your word processor and upload the new file. {Instead}",
        ResumeFailure.PasswordProtected => "That file is protected with a password. Save a copy without the password and upload that. Nothing was changed.",
        ResumeFailure.NoText => "No text could be found in that file: it may be a scanned image. Upload the original document instead, or fill in the form below.",
        ResumeFailure.UnsafePackage => $"That document could not be read safely: it unpacks to far more than a résumé does. {Instead}",
        ResumeFailure.UnsafeXml => $"That document could not be read safely: it refers to outside files or defines its own entities, which résumés never need. {Instead}",
        ResumeFailure.TimedOut => $"Reading that file took too long, so it was stopped. {Instead}",
        ResumeFailure.Busy => "Many résumés are being read right now. Please try again in a minute; nothing was changed.",
        _ => $"That file could not be read. {Instead}",
    };

    /// <summary>How the JSON endpoint answers: the upload's fault is a 4xx, a full queue 503.</summary>
    public static int Status(ResumeFailure failure) => failure switch
    {
        ResumeFailure.NoFile => StatusCodes.Status400BadRequest,
        ResumeFailure.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ResumeFailure.NotADocument => StatusCodes.Status415UnsupportedMediaType,
        ResumeFailure.Busy => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    public static Refusal Refusal(ResumeFailure failure, long maxUploadBytes) =>
        new(Status(failure), Message(failure, maxUploadBytes), Title: failure.ToString());
}
