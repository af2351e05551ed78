namespace Peregrine.Storage;

/// <summary>
/// The user's tree was erased (by this process, another app's process or the operator's command) while this process
/// still knew the DB: opens are refused rather than served from the deleted file or recreating the tree. A new
/// sign-in provisions a fresh tree, which lifts the refusal (<see cref="UserDatabases.Reinstate"/>).
/// </summary>
public sealed class UserDataRemovedException(string ownerId)
    : Exception("the user's data was erased while this process had it open")
{
    public string OwnerId { get; } = ownerId;
}
