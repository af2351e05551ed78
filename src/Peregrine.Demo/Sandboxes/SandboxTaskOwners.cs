using Peregrine.Sessions;
using Peregrine.Tasks;

namespace Peregrine.Demo.Sandboxes;

/// <summary>
/// The task runner's start-up scan in the demo: visitors' sandboxes whose tree carries the runner's queued-work marker
/// (the default scan knows only cloud trees and the one local user). The sandboxes are loaded before hosted services start.
/// </summary>
public sealed class SandboxTaskOwners(DemoSandboxes sandboxes) : ITaskOwnerDirectory
{
    public IEnumerable<UserContext> WithQueuedWork() => sandboxes.Known().Where(QueuedWorkMarkers.IsSet);
}
