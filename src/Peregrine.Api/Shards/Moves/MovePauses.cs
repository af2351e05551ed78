using System.Diagnostics;

namespace Peregrine.Api.Shards.Moves;

/// <summary>
/// Where a user's requests wait while their data is being moved away from this shard. Every request this shard serves
/// for its own user is counted in; a move first holds new ones back and waits for those in flight to finish, so the copy
/// sees every write that was acknowledged, and no write lands on the source afterwards. When the move ends the held
/// requests go on: served here if the move failed, or sent to the new home if it flipped.
/// </summary>
public sealed class MovePauses
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, UserGate> _gates = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts a request in, after waiting (at most <paramref name="wait"/>) for a move under way. Null when the user moved
    /// away meanwhile: the request belongs to the new home. A wait that runs out throws <see cref="TimeoutException"/>.
    /// </summary>
    public async Task<IDisposable?> EnterAsync(string userId, TimeSpan wait, CancellationToken cancellationToken)
    {
        Task<bool> moved;
        lock (_sync)
        {
            var gate = GateOf(userId);
            if (gate.Resumed is null)
            {
                gate.InFlight++;
                return new Exit(this, userId, gate);
            }

            moved = gate.Resumed.Task;
        }

        return await moved.WaitAsync(wait, cancellationToken) ? null : await EnterAsync(userId, wait, cancellationToken);
    }

    /// <summary>Holds the user's new requests back and waits (at most <paramref name="drain"/>) for those in flight.</summary>
    public async Task<MovePause> PauseAsync(string userId, TimeSpan drain, CancellationToken cancellationToken)
    {
        Task drained;
        MovePause pause;
        lock (_sync)
        {
            var gate = GateOf(userId);
            if (gate.Resumed is not null)
            {
                throw new InvalidOperationException("a move of this user is already under way on this shard");
            }

            gate.Resumed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            gate.Drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            pause = new MovePause(this, userId, gate);
            if (gate.InFlight == 0)
            {
                gate.Drained.SetResult();
            }

            drained = gate.Drained.Task;
        }

        try
        {
            await drained.WaitAsync(drain, cancellationToken);
            return pause;
        }
        catch
        {
            pause.End(movedAway: false);
            throw;
        }
    }

    private UserGate GateOf(string userId)
    {
        if (!_gates.TryGetValue(userId, out var gate))
        {
            _gates[userId] = gate = new UserGate();
        }

        return gate;
    }

    private void Leave(string userId, UserGate gate)
    {
        lock (_sync)
        {
            gate.InFlight--;
            if (gate.InFlight == 0)
            {
                gate.Drained?.TrySetResult();
            }

            ForgetIfIdle(userId, gate);
        }
    }

    private void Resume(string userId, UserGate gate, bool movedAway)
    {
        lock (_sync)
        {
            var resumed = gate.Resumed;
            (gate.Resumed, gate.Drained) = (null, null);
            resumed?.TrySetResult(movedAway);
            ForgetIfIdle(userId, gate);
        }
    }

    // A gate is kept only while it counts a request or holds them back, so the map stays as small as the traffic.
    private void ForgetIfIdle(string userId, UserGate gate)
    {
        if (gate.InFlight == 0 && gate.Resumed is null)
        {
            _gates.Remove(userId);
        }
    }

    internal sealed class UserGate
    {
        public int InFlight;
        public TaskCompletionSource<bool>? Resumed;
        public TaskCompletionSource? Drained;
    }

    private sealed class Exit(MovePauses owner, string userId, UserGate gate) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                owner.Leave(userId, gate);
            }
        }
    }

    /// <summary>A user's requests held back; <see cref="End"/> lets them go and says how long they were held.</summary>
    public sealed class MovePause
    {
        private readonly MovePauses _owner;
        private readonly string _userId;
        private readonly UserGate _gate;
        private readonly Stopwatch _held = Stopwatch.StartNew();
        private int _ended;

        internal MovePause(MovePauses owner, string userId, UserGate gate) => (_owner, _userId, _gate) = (owner, userId, gate);

        public TimeSpan Elapsed => _held.Elapsed;

        /// <summary>Releases the held requests: to the new home when <paramref name="movedAway"/>, else to be served here.</summary>
        public TimeSpan End(bool movedAway)
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _held.Stop();
                _owner.Resume(_userId, _gate, movedAway);
            }

            return _held.Elapsed;
        }
    }
}
