namespace Isthmus.Operator.Hosting;

/// <summary>What this replica is doing, as <c>/readyz</c> reports it.</summary>
public enum ReadinessState
{
    /// <summary>Leading (or running without leader election) while the informers load their first lists: not ready.</summary>
    Syncing,

    /// <summary>Leading with synced informers: ready.</summary>
    Synced,

    /// <summary>Competing for the Lease another replica holds: ready, so that a rolling update is not blocked by a standby.</summary>
    Standby,

    /// <summary>Shutting down: not ready.</summary>
    Stopping,
}

/// <summary>
/// The readiness of one operator replica, served by <c>/readyz</c>. Ready means "this replica is doing its job":
/// the leader once its informers have synced (before that its reconciles would work from partial caches), and a
/// standby waiting for the Lease (it has nothing to load; reporting it unready would keep every Deployment
/// rollout with two replicas from ever completing). Not ready while the leader's caches load and after shutdown
/// has begun. Thread-safe.
/// </summary>
public sealed class OperatorReadiness
{
    private volatile int _state;

    public OperatorReadiness(ReadinessState initial) => _state = (int)initial;

    public ReadinessState State => (ReadinessState)_state;

    public bool IsReady => State is ReadinessState.Synced or ReadinessState.Standby;

    /// <summary>Moves to <paramref name="state"/>, except out of <see cref="ReadinessState.Stopping"/>, which is final.</summary>
    public void Set(ReadinessState state)
    {
        int current;
        do
        {
            current = _state;
            if ((ReadinessState)current == ReadinessState.Stopping)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _state, (int)state, current) != current);
    }

    /// <summary>The body of <c>/readyz</c>.</summary>
    public string Describe() => State switch
    {
        ReadinessState.Synced => "ok: leading, caches synced\n",
        ReadinessState.Standby => "ok: standby, waiting for the Lease\n",
        ReadinessState.Syncing => "not ready: leading, caches loading\n",
        _ => "not ready: shutting down\n",
    };
}
