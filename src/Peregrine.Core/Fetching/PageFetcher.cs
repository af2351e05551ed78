using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Peregrine.Fetching;

/// <summary>A fetched body, after redirects: where it finally came from, its media type and its text.</summary>
public sealed record FetchedPage(Uri Address, string? MediaType, string Body);

/// <summary>
/// Outbound GETs for tasks (job pages, job-board APIs), safe on a multi-tenant server: http(s) only, redirects followed
/// here (at most <see cref="FetchOptions.MaxRedirects"/>, each hop connecting through <see cref="GuardedConnector"/>),
/// one deadline for the whole fetch, a body-size cap, an honest User-Agent, no cookies, no proxy. Every failure is a
/// <see cref="FetchFailedException"/> whose message names the reason, never exception text.
/// </summary>
public sealed class PageFetcher(IHttpClientFactory clients, IOptions<FetchOptions> options)
{
    public const string ClientName = "peregrine-fetch";

    /// <summary>GETs <paramref name="address"/>; <paramref name="maxBodyBytes"/> overrides the configured cap (a whole job board).</summary>
    public async Task<FetchedPage> GetAsync(Uri address, string accept, CancellationToken cancellationToken, long? maxBodyBytes = null)
    {
        var settings = options.Value;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        var client = clients.CreateClient(ClientName);
        var current = address;
        for (var hop = 0; ; hop++)
        {
            if (current.Scheme != Uri.UriSchemeHttp && current.Scheme != Uri.UriSchemeHttps)
            {
                throw new FetchFailedException($"Only http and https addresses can be fetched, not {current.Scheme}:");
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            request.Headers.Accept.ParseAdd(accept);
            request.Headers.UserAgent.ParseAdd(settings.UserAgent);
            using var response = await SendAsync(client, request, current, deadline, cancellationToken);
            if (IsRedirect(response.StatusCode))
            {
                if (hop >= settings.MaxRedirects)
                {
                    throw new FetchFailedException($"Too many redirects (more than {settings.MaxRedirects}) from {address.Host}");
                }

                current = response.Headers.Location is { } location
                    ? new Uri(current, location)
                    : throw new FetchFailedException($"{current.Host} redirected without saying where");
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new FetchFailedException($"{current.Host} answered HTTP {(int)response.StatusCode}") { HttpStatus = (int)response.StatusCode };
            }

            var body = await ReadCappedAsync(response.Content, maxBodyBytes ?? settings.MaxBodyBytes, current, deadline, cancellationToken);
            return new FetchedPage(current, response.Content.Headers.ContentType?.MediaType, body);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client, HttpRequestMessage request, Uri current, CancellationTokenSource deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        }
        catch (Exception e) when (Unwrap<FetchFailedException>(e) is { } reason)
        {
            throw reason;
        }
        catch (HttpRequestException)
        {
            throw new FetchFailedException($"Could not connect to {current.Host}");
        }
        catch (Exception e) when (IsTimeout(e, cancellationToken))
        {
            throw new FetchFailedException($"{current.Host} took too long to answer") { TimedOut = true };
        }
    }

    private static async Task<string> ReadCappedAsync(
        HttpContent content, long cap, Uri current, CancellationTokenSource deadline, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > cap)
        {
            throw TooLarge(current, cap);
        }

        try
        {
            await using var stream = await content.ReadAsStreamAsync(deadline.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, deadline.Token)) > 0)
            {
                if (buffer.Length + read > cap)
                {
                    throw TooLarge(current, cap);
                }

                buffer.Write(chunk, 0, read);
            }

            return EncodingOf(content.Headers.ContentType).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (Exception e) when (IsTimeout(e, cancellationToken))
        {
            throw new FetchFailedException($"{current.Host} took too long to send the page") { TimedOut = true };
        }
        catch (IOException)
        {
            throw new FetchFailedException($"{current.Host} broke off while sending the page");
        }
    }

    private static FetchFailedException TooLarge(Uri current, long cap) =>
        new($"The page at {current.Host} is larger than {cap / (1024 * 1024.0):0.#} MB");

    private static Encoding EncodingOf(MediaTypeHeaderValue? type)
    {
        try
        {
            return type?.CharSet is { Length: > 0 } charset ? Encoding.GetEncoding(charset.Trim('"')) : Encoding.UTF8;
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>Our deadline or the resilience pipeline's timeout fired, not the caller's cancellation.</summary>
    private static bool IsTimeout(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && e is OperationCanceledException or Polly.Timeout.TimeoutRejectedException;

    internal static T? Unwrap<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }
}
