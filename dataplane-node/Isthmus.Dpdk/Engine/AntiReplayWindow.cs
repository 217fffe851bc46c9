using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>
/// The inbound anti-replay window of one SA (RFC 4303 §3.4.3 and Appendix A), kept by the engine on
/// top of rte_ipsec's: DPDK 22.11's <c>esn_inb_update_sqn</c> stores the window bit in a 32-bit
/// variable, so bits 32-63 of every 64-bit bucket are never set and a replayed packet whose
/// sequence number modulo 64 is 32 or more passes rte_ipsec. Checked before crypto, advanced only
/// after the ICV verified. Allocation-free after construction.
/// </summary>
internal sealed class AntiReplayWindow
{
    private readonly ulong[] bits;
    private readonly ulong capacity;

    public AntiReplayWindow(int size, ulong highest)
    {
        Size = (ulong)size;
        int words = size == 0 ? 1 : (size + 63) / 64;
        bits = new ulong[words];
        capacity = (ulong)words * 64;
        Highest = highest;
    }

    /// <summary>Configured window in packets; 0 disables replay checks.</summary>
    public ulong Size { get; }

    /// <summary>Highest authenticated sequence number (64 bits with ESN).</summary>
    public ulong Highest { get; private set; }

    /// <summary>
    /// The full sequence number of a packet carrying <paramref name="low"/> (RFC 4303 Appendix A2.1):
    /// without ESN the 32 bits as they are; with ESN the high half that puts it nearest the window.
    /// </summary>
    public ulong Infer(uint low, bool esn)
    {
        if (!esn)
        {
            return low;
        }

        uint window = (uint)Math.Max(Size, 1);
        uint tl = (uint)Highest;
        uint th = (uint)(Highest >> 32);
        uint bottom = tl - window + 1;
        if (tl >= window - 1)
        {
            return low >= bottom ? ((ulong)th << 32) | low : ((ulong)(th + 1) << 32) | low;
        }

        // The window straddles a 2^32 boundary.
        return low >= bottom && th > 0 ? ((ulong)(th - 1) << 32) | low : ((ulong)th << 32) | low;
    }

    /// <summary>Whether a packet with <paramref name="sequence"/> may be processed.</summary>
    public DropReason Check(ulong sequence)
    {
        if (Size == 0)
        {
            return DropReason.None;
        }

        if (sequence == 0)
        {
            return DropReason.ReplayTooOld;
        }

        if (sequence > Highest)
        {
            return DropReason.None;
        }

        if (Highest - sequence >= Size)
        {
            return DropReason.ReplayTooOld;
        }

        ulong position = sequence % capacity;
        return (bits[position / 64] & (1UL << (int)(position % 64))) != 0 ? DropReason.Replay : DropReason.None;
    }

    /// <summary>Records an authenticated packet; false (and no change) when it is a replay after all (e.g. twice in one burst).</summary>
    public bool Accept(ulong sequence)
    {
        if (Size == 0)
        {
            Highest = Math.Max(Highest, sequence);
            return true;
        }

        if (Check(sequence) != DropReason.None)
        {
            return false;
        }

        if (sequence > Highest)
        {
            ulong advance = sequence - Highest;
            if (advance >= capacity)
            {
                Array.Clear(bits);
            }
            else
            {
                for (ulong s = Highest + 1; s <= sequence; s++)
                {
                    ulong p = s % capacity;
                    bits[p / 64] &= ~(1UL << (int)(p % 64));
                }
            }

            Highest = sequence;
        }

        ulong position = sequence % capacity;
        bits[position / 64] |= 1UL << (int)(position % 64);
        return true;
    }
}
