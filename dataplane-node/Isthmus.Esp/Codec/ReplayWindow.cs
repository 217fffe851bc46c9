namespace Isthmus.Esp;

/// <summary>
/// The receiver's anti-replay window (RFC 4303 §3.4.3), as a ring of 64-bit blocks (the RFC 6479
/// layout): checking is O(1) and advancing clears at most the ring. Sequence numbers are the full
/// 64-bit values (with ESN, after the Appendix A2 inference). Not thread-safe.
/// </summary>
internal sealed class ReplayWindow
{
    private readonly ulong[] blocks;
    private readonly int blockMask;

    public ReplayWindow(int size, ulong highest)
    {
        Size = size;
        int needed = (size + 63) / 64 + 1;
        int count = 1;
        while (count < needed)
        {
            count <<= 1;
        }

        blocks = new ulong[count];
        blockMask = count - 1;
        Highest = highest;
    }

    /// <summary>Window size in packets; 0 disables the check.</summary>
    public int Size { get; }

    /// <summary>Highest sequence number accepted so far (T in RFC 4303 Appendix A).</summary>
    public ulong Highest { get; private set; }

    /// <summary>
    /// Whether <paramref name="sequence"/> may be accepted: <see cref="DropReason.None"/>,
    /// <see cref="DropReason.Replay"/> (already seen) or <see cref="DropReason.ReplayTooOld"/> (left of the window).
    /// </summary>
    public DropReason Check(ulong sequence)
    {
        if (sequence == 0)
        {
            return DropReason.ReplayTooOld;
        }

        if (Size == 0 || sequence > Highest)
        {
            return DropReason.None;
        }

        if (Highest - sequence >= (ulong)Size)
        {
            return DropReason.ReplayTooOld;
        }

        ulong bit = 1UL << (int)(sequence & 63);
        return (blocks[(int)(sequence >> 6) & blockMask] & bit) != 0 ? DropReason.Replay : DropReason.None;
    }

    /// <summary>Records an authenticated packet (call only after its ICV verified and <see cref="Check"/> passed).</summary>
    public void Accept(ulong sequence)
    {
        if (sequence > Highest)
        {
            ulong currentBlock = Highest >> 6;
            ulong newBlock = sequence >> 6;
            ulong toClear = newBlock - currentBlock;
            if (toClear > (ulong)blocks.Length)
            {
                toClear = (ulong)blocks.Length;
            }

            for (ulong i = 1; i <= toClear; i++)
            {
                blocks[(int)((currentBlock + i) & (ulong)blockMask)] = 0;
            }

            Highest = sequence;
        }

        if (Size != 0)
        {
            blocks[(int)(sequence >> 6) & blockMask] |= 1UL << (int)(sequence & 63);
        }
    }

    /// <summary>
    /// Infers the high 32 bits of an ESN sequence number from its low 32 bits (RFC 4303 Appendix A2.2).
    /// Returns false when the packet would lie before sequence number 0 (too old).
    /// </summary>
    public bool TryInferEsn(uint low, out ulong sequence)
    {
        uint window = (uint)Math.Max(Size, 1);
        uint tl = (uint)Highest;
        uint th = (uint)(Highest >> 32);
        uint seqHigh;
        if (tl >= window - 1)
        {
            // Case A: the window lies within one sequence number subspace.
            seqHigh = low >= tl - window + 1 ? th : th + 1;
            if (seqHigh == 0 && th == uint.MaxValue)
            {
                sequence = 0;
                return false;
            }
        }
        else
        {
            // Case B: the window spans two subspaces.
            if (low >= unchecked(tl - window + 1))
            {
                if (th == 0)
                {
                    sequence = 0;
                    return false;
                }

                seqHigh = th - 1;
            }
            else
            {
                seqHigh = th;
            }
        }

        sequence = ((ulong)seqHigh << 32) | low;
        return true;
    }
}
