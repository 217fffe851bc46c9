using System.Runtime.CompilerServices;

namespace Isthmus.Dpdk.Interop;

/// <summary>
/// Direct access to the struct rte_mbuf fields the engine touches (offsets asserted in the shim).
/// The engine parses single-segment mbufs only; outer fragments it sends are chains (a header mbuf
/// and an indirect mbuf on the encrypted packet), and reassembled packets are linearised.
/// </summary>
internal static unsafe class Mbuf
{
    public const int DataOffOffset = 16;
    public const int NbSegsOffset = 20;
    public const int PortOffset = 22;
    public const int OlFlagsOffset = 24;
    public const int PacketTypeOffset = 32;
    public const int PktLenOffset = 36;
    public const int DataLenOffset = 40;
    public const int BufLenOffset = 54;
    public const int NextOffset = 64;
    public const int TxOffloadOffset = 72;
    public const int Headroom = 128;

    public const ulong RxSecOffload = 1UL << 18;
    public const ulong RxSecOffloadFailed = 1UL << 19;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Data(nint m) => *(byte**)m + *(ushort*)(m + DataOffOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint PacketLength(nint m) => *(uint*)(m + PktLenOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort DataLength(nint m) => *(ushort*)(m + DataLenOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Segments(nint m) => *(ushort*)(m + NbSegsOffset);

    /// <summary>The next segment of a chained mbuf (fragments from rte_ipv4_fragment_packet), or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Next(nint m) => *(nint*)(m + NextOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref ulong OlFlags(nint m) => ref *(ulong*)(m + OlFlagsOffset);

    /// <summary>tx_offload bit field: l2_len (7 bits), l3_len (9 bits), l4_len (8 bits), ...</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetL2L3(nint m, uint l2Length, uint l3Length)
    {
        ulong* txOffload = (ulong*)(m + TxOffloadOffset);
        *txOffload = (*txOffload & ~0xFFFFUL) | (l2Length & 0x7F) | ((ulong)(l3Length & 0x1FF) << 7);
    }

    /// <summary>Makes the mbuf hold exactly <paramref name="length"/> bytes starting at the default headroom.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Reset(nint m, uint length)
    {
        *(ushort*)(m + DataOffOffset) = Headroom;
        *(uint*)(m + PktLenOffset) = length;
        *(ushort*)(m + DataLenOffset) = (ushort)length;
        *(ulong*)(m + OlFlagsOffset) = 0;
        *(ulong*)(m + TxOffloadOffset) = 0;
        return Data(m);
    }

    /// <summary>rte_pktmbuf_prepend for a single-segment mbuf; null when the headroom is short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Prepend(nint m, ushort length)
    {
        ushort dataOff = *(ushort*)(m + DataOffOffset);
        if (dataOff < length)
        {
            return null;
        }

        *(ushort*)(m + DataOffOffset) = (ushort)(dataOff - length);
        *(uint*)(m + PktLenOffset) += length;
        *(ushort*)(m + DataLenOffset) += length;
        return Data(m);
    }

    /// <summary>rte_pktmbuf_adj for a single-segment mbuf: drops <paramref name="length"/> leading bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Adjust(nint m, ushort length)
    {
        *(ushort*)(m + DataOffOffset) += length;
        *(uint*)(m + PktLenOffset) -= length;
        *(ushort*)(m + DataLenOffset) -= length;
        return Data(m);
    }
}
