using Peregrine.Sessions;

namespace Peregrine.Tasks;

/// <summary>
/// The users that may have queued work, in round-robin order: the runner takes the first, claims at most one task of
/// theirs, and puts them at the back. So a user with 500 queued scrapes gets one turn per round like everyone else, and a
/// single task of another user waits at most one round. Only users that were woken (or found with a marker at start-up)
/// are here; everyone else costs nothing. A user whose queued tasks are all of a type already running for them is parked
/// (out of the ring) until one of their tasks finishes.
/// </summary>
internal sealed class FairTaskQueue
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TaskOwner> _owners = new(StringComparer.Ordinal);
    private readonly LinkedList<TaskOwner> _ring = new();
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Users known to have (or to have had, until their queue is next found empty) queued work.</summary>
    public int OwnerCount
    {
        get
        {
            lock (_gate)
            {
                return _owners.Count;
            }
        }
    }

    public int RunningCount
    {
        get
        {
            lock (_gate)
            {
                return _owners.Values.Sum(owner => owner.Running.Count);
            }
        }
    }

    /// <summary>Puts the user in the ring; true when they were not known yet (so their marker must be written).</summary>
    public bool Wake(UserContext user)
    {
        lock (_gate)
        {
            var isNew = !_owners.TryGetValue(KeyOf(user), out var owner);
            if (owner is null)
            {
                owner = new TaskOwner(user);
                _owners[KeyOf(user)] = owner;
            }

            owner.Generation++;
            Ring(owner);
            return isNew;
        }
    }

    /// <summary>
    /// An enqueue for the user is about to commit: until the result is disposed, a turn that finds their queue empty
    /// keeps them (parked), so their marker is not cleared under a commit that is still to come.
    /// </summary>
    public IDisposable Expect(UserContext user)
    {
        lock (_gate)
        {
            if (!_owners.TryGetValue(KeyOf(user), out var owner))
            {
                owner = new TaskOwner(user);
                _owners[KeyOf(user)] = owner;
            }

            owner.PendingEnqueues++;
        }

        return new ExpectedWork(this, user);
    }

    /// <summary>The enqueue committed (or gave up): the same step as a wake, so no turn can slip in between the two.</summary>
    private void ExpectationEnded(UserContext user)
    {
        lock (_gate)
        {
            if (_owners.TryGetValue(KeyOf(user), out var owner))
            {
                owner.PendingEnqueues--;
                owner.Generation++;
                Ring(owner);
            }
        }
    }

    /// <summary>Waits for the next user to serve; they leave the ring until <see cref="Started"/> or <see cref="NothingClaimable"/>.</summary>
    public async Task<OwnerTurn> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_ring.First is { } first)
                {
                    _ring.RemoveFirst();
                    var owner = first.Value;
                    owner.RingNode = null;
                    return new OwnerTurn(owner, owner.Generation, [.. owner.Running.Values.Select(r => r.TaskType)]);
                }

                if (_changed.Task.IsCompleted)
                {
                    _changed = NewSignal();
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public void Started(TaskOwner owner, ClaimedTask task, CancellationTokenSource cancellation)
    {
        lock (_gate)
        {
            owner.Running[task.Id] = (task.TaskType, cancellation);
            Ring(owner);
        }
    }

    public void Finished(TaskOwner owner, long taskId)
    {
        lock (_gate)
        {
            owner.Running.Remove(taskId);
            Ring(owner);
        }
    }

    /// <summary>
    /// The user's turn found no task to claim. Returns true when they are done (nothing was running when the turn began
    /// or now, no enqueue is in flight, and no wake came since): they are forgotten. Otherwise they wait for a running
    /// task to finish or an enqueue to commit (parked),
    /// or go round again (a wake arrived, or the task that blocked a type finished meanwhile).
    /// </summary>
    public bool NothingClaimable(OwnerTurn turn)
    {
        lock (_gate)
        {
            var owner = turn.Owner;
            if (owner.Running.Count > 0 || owner.PendingEnqueues > 0)
            {
                return false;
            }

            if (owner.Generation != turn.Generation || turn.BusyTypes.Length > 0)
            {
                Ring(owner);
                return false;
            }

            _owners.Remove(KeyOf(owner.User));
            return true;
        }
    }

    /// <summary>Fires the cancellation of the user's running task(s); false when none of them is running here.</summary>
    public bool Cancel(UserContext user, long? taskId)
    {
        List<CancellationTokenSource> cancelled;
        lock (_gate)
        {
            if (!_owners.TryGetValue(KeyOf(user), out var owner))
            {
                return false;
            }

            cancelled = [.. owner.Running.Where(r => taskId is null || r.Key == taskId).Select(r => r.Value.Cancellation)];
        }

        // Outside the lock: cancellation callbacks run synchronously and may call back into the queue.
        foreach (var source in cancelled)
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The task finished meanwhile.
            }
        }

        return cancelled.Count > 0;
    }

    private void Ring(TaskOwner owner)
    {
        if (owner.RingNode is null && _owners.TryGetValue(KeyOf(owner.User), out var known) && ReferenceEquals(known, owner))
        {
            owner.RingNode = _ring.AddLast(owner);
            _changed.TrySetResult();
        }
    }

    private static string KeyOf(UserContext user) => Path.GetFullPath(user.Database.Path);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class ExpectedWork(FairTaskQueue queue, UserContext user) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                queue.ExpectationEnded(user);
            }
        }
    }
}

/// <summary>One user's place in the runner: their context (tree and key) and their running tasks.</summary>
internal sealed class TaskOwner(UserContext user)
{
    public UserContext User { get; } = user;

    /// <summary>Counts wakes, so a turn that found nothing can tell whether work arrived after it looked.</summary>
    public long Generation { get; set; }

    /// <summary>Enqueues between <see cref="FairTaskQueue.Expect"/> and their commit.</summary>
    public int PendingEnqueues { get; set; }

    public Dictionary<long, (string TaskType, CancellationTokenSource Cancellation)> Running { get; } = [];

    public LinkedListNode<TaskOwner>? RingNode { get; set; }
}

/// <summary>A user's turn: the types already running for them are not claimed again (one task of a type per user).</summary>
internal sealed record OwnerTurn(TaskOwner Owner, long Generation, string[] BusyTypes);
