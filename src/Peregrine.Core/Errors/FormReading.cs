using Microsoft.AspNetCore.Http;

namespace Peregrine.Errors;

/// <summary>Reading a form by hand, as the framework's form binding does: a body that is not a readable form is a 400.</summary>
public static class FormReading
{
    /// <summary>
    /// <see cref="HttpRequest.ReadFormAsync(CancellationToken)"/>, but a truncated or malformed multipart or urlencoded
    /// body (the reader's <see cref="InvalidDataException"/> or <see cref="IOException"/>) is a <see cref="BadHttpRequestException"/>,
    /// which the error handler answers as a 400 problem instead of a 500. The form is cached, so later reads (antiforgery) reuse it.
    /// </summary>
    public static async Task<IFormCollection> ReadFormOrBadRequestAsync(this HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested && !request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            throw new BadHttpRequestException("The request form could not be read.", StatusCodes.Status400BadRequest, e);
        }
    }
}
