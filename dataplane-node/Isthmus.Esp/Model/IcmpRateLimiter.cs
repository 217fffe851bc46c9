namespace Isthmus.Esp;

/// <summary>
/// A token bucket for the ICMP errors a dataplane originates (RFC 1812 §4.3.2.8, RFC 4443 §2.4 f):
/// <see cref="PerSecond"/> tokens a second, at most <see cref="Burst"/> saved up. Thread-safe; no
/// allocation. Timestamps come from a <see cref="TimeProvider"/>.
/// </summary>
public sealed class IcmpRateLimiter
{
    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly long ticksPerToken;
    private readonly long burstTicks;
    private long credit;
    private long last;

    /// <param name="perSecond">Messages per second; 0 sends none.</param>
    /// <param name="burst">Messages that may go at once after a quiet period (at least 1).</param>
    public IcmpRateLimiter(int perSecond, int burst, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        PerSecond = perSecond;
        Burst = burst;
        this.time = time ?? TimeProvider.System;
        ticksPerToken = perSecond == 0 ? long.MaxValue : Math.Max(1, this.time.TimestampFrequency / perSecond);
        burstTicks = perSecond == 0 ? 0 : ticksPerToken * burst;
        credit = burstTicks;
        last = this.time.GetTimestamp();
    }

    public int PerSecond { get; }

    public int Burst { get; }

    /// <summary>Takes a token if one is available now.</summary>
    public bool TryAcquire()
    {
        if (PerSecond == 0)
        {
            return false;
        }

        long now = time.GetTimestamp();
        lock (gate)
        {
            credit = Math.Min(burstTicks, credit + Math.Max(0, now - last));
            last = now;
            if (credit < ticksPerToken)
            {
                return false;
            }

            credit -= ticksPerToken;
            return true;
        }
    }
}
