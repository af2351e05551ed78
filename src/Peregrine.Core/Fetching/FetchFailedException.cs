using Peregrine.Tasks;

namespace Peregrine.Fetching;

/// <summary>A fetch that could not be done, with a reason its user may read (it fails the task that fetched).</summary>
public class FetchFailedException(string message) : TaskFailedException(message);

/// <summary>The connection was refused by <see cref="AddressPolicy"/>: never retried, never counted against the host.</summary>
public sealed class AddressRefusedException(string message) : FetchFailedException(message);
