using Peregrine.Tasks;

namespace Peregrine.Fetching;

/// <summary>A fetch that could not be done, with a reason its user may read (it fails the task that fetched).</summary>
public class FetchFailedException(string message) : TaskFailedException(message)
{
    /// <summary>The HTTP status the site answered with, when that was the failure.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The site (or our deadline) ran out of time, rather than refusing.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The address answered with something that is not a web page (a PDF, an image).</summary>
    public bool NotAWebPage { get; init; }
}

/// <summary>The connection was refused by <see cref="AddressPolicy"/>: never retried, never counted against the host.</summary>
public sealed class AddressRefusedException(string message) : FetchFailedException(message);
