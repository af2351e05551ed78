using Peregrine.Sessions;

namespace Peregrine.Demo.Sandboxes;

/// <summary>One visitor's sandbox as the registry tracks it (mutable state guarded by the registry's lock).</summary>
internal sealed class Sandbox
{
    public Sandbox(UserContext user)
    {
        User = user;
        Node = new LinkedListNode<Sandbox>(this);
    }

    public UserContext User { get; }

    public LinkedListNode<Sandbox> Node { get; }

    public Task Ready { get; set; } = Task.CompletedTask;

    public int Active { get; set; }

    public DateTimeOffset LastUsed { get; set; }

    public DateTimeOffset LastTouched { get; set; } = DateTimeOffset.MinValue;

    public string? Buried { get; set; }

    /// <summary>Bytes on disk when last measured (for the all-sandboxes budget).</summary>
    public long Bytes { get; set; }

    public DateTimeOffset MeasuredAt { get; set; } = DateTimeOffset.MinValue;

    /// <summary>A request that may have written ended since the last measurement.</summary>
    public bool Written { get; set; }
}

/// <summary>A request's hold on its sandbox: while any is held, the sandbox is not removed.</summary>
public sealed class SandboxLease : IDisposable
{
    private readonly DemoSandboxes _owner;
    private readonly Sandbox _sandbox;
    private readonly bool _writes;
    private int _disposed;

    internal SandboxLease(DemoSandboxes owner, Sandbox sandbox, bool writes)
    {
        _owner = owner;
        _sandbox = sandbox;
        _writes = writes;
    }

    public UserContext User => _sandbox.User;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _owner.Exit(_sandbox, _writes);
        }
    }
}
