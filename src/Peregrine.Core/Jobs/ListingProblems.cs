using Peregrine.Fetching;

namespace Peregrine.Jobs;

/// <summary>
/// Why a job's listing could not be fetched, in words a job seeker can act on (stored in <c>jobs.fetch_error</c> and
/// shown on the job's page beside Retry and "Edit details"). The task keeps the technical reason for the log and the
/// task list; this one says what happened and what to do.
/// </summary>
public static class ListingProblems
{
    public const string NoDetails =
        "The page opened, but it has no job details Peregrine can read. Fill them in below, or paste the description.";

    public static string Describe(string url, FetchFailedException failure)
    {
        var site = Uri.TryCreate(url, UriKind.Absolute, out var address) ? address.Host : "The site";
        if (site.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
        {
            site = site[4..];
        }

        return failure switch
        {
            AddressRefusedException => "That address points into a private network, which Peregrine does not visit for safety.",
            { HttpStatus: 401 or 403 or 429 or 999 } => $"{site} only shows this listing to visitors who are signed in, so Peregrine could not read it. Open the listing yourself and paste its description below.",
            { HttpStatus: 404 or 410 } => $"{site} says this listing no longer exists: it may have been filled or taken down.",
            { HttpStatus: >= 500 } => $"{site} had a problem of its own (error {failure.HttpStatus}). Try again later.",
            { HttpStatus: { } status } => $"{site} refused to show the listing (error {status}).",
            { TimedOut: true } => $"{site} took too long to answer. Try again later.",
            { NotAWebPage: true } => $"That address is a file, not a web page. Open it yourself and paste the description below.",
            _ => $"{site} could not be reached. Check the address, or try again later.",
        };
    }
}
