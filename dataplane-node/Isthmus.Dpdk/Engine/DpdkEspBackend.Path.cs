using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Isthmus.Dpdk.Interop;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>The packet path shared by both directions: polling, grouping by SA, the crypto stage and transmit.</summary>
public sealed unsafe partial class DpdkEspBackend
{
    private const int EthernetLength = 14;
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;

    // Per-packet state in the mbuf private area (struct rte_mbuf is 128 bytes; the pool reserves 16 more).
    private const int PrivInnerLength = 128;
    private const int PrivInnerTos = 132;
    private const int PrivFlags = 133;

    /// <summary><see cref="PrivFlags"/>: the outer IPv4 packet is cut into fragments once encrypted.</summary>
    private const byte FragmentAfterEncryption = 1;
    private const int PrivSequence = 136;

    /// <summary>
    /// One poll iteration: a burst from the clear port through outbound processing and a burst from
    /// the cipher port through inbound processing. Returns the number of packets received. Allocates
    /// nothing (events aside, which are rare by design).
    /// </summary>
    public int Poll()
    {
        if (!EnterPoll())
        {
            return 0;
        }

        try
        {
            EngineTables t = Volatile.Read(ref tables);
            int received = Outbound(t);
            received += Inbound(t);
            received += FromHost();
            return received;
        }
        finally
        {
            Volatile.Write(ref pollGeneration, pollGeneration + 1);
            Volatile.Write(ref polling, 0);
        }
    }

    /// <summary>One outbound burst only (clear port → cipher port). Returns the packets received.</summary>
    public int PollOutbound()
    {
        if (!EnterPoll())
        {
            return 0;
        }

        try
        {
            return Outbound(Volatile.Read(ref tables));
        }
        finally
        {
            Volatile.Write(ref pollGeneration, pollGeneration + 1);
            Volatile.Write(ref polling, 0);
        }
    }

    /// <summary>One inbound burst only (cipher port → clear port). Returns the packets received.</summary>
    public int PollInbound()
    {
        if (!EnterPoll())
        {
            return 0;
        }

        try
        {
            return Inbound(Volatile.Read(ref tables));
        }
        finally
        {
            Volatile.Write(ref pollGeneration, pollGeneration + 1);
            Volatile.Write(ref polling, 0);
        }
    }

    /// <summary>
    /// The return path of the host port: what the kernel sends there (IKE on UDP 500/4500, NAT
    /// keepalives, ARP for the cipher-side neighbours) leaves on the cipher port unchanged.
    /// </summary>
    private int FromHost()
    {
        if (options.HostPort is not { } hostPort)
        {
            return 0;
        }

        BurstScratch s = scratch;
        int received = Shim.EthRxBurst(hostPort.PortId, 0, s.Host, (ushort)s.Burst);
        Transmit(options.CipherPort, s.Host, received);
        return received;
    }

    /// <summary>
    /// Marks the poller busy (a full fence, so a concurrent <see cref="Dispose"/> either sees it and
    /// waits, or is seen here); false once the backend is disposed.
    /// </summary>
    private bool EnterPoll()
    {
        Interlocked.Exchange(ref polling, 1);
        if (Volatile.Read(ref disposed))
        {
            Volatile.Write(ref polling, 0);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Sorts <paramref name="count"/> mbufs by SA slot into <see cref="BurstScratch.Grouped"/>, keeping
    /// arrival order within an SA. Returns the number of groups (GroupSlot/GroupStart/GroupCount).
    /// </summary>
    private int GroupBySa(nint* mbufs, uint* slotOf, int count)
    {
        BurstScratch s = scratch;
        int groups = 0;
        for (int i = 0; i < count; i++)
        {
            uint slot = slotOf[i];
            int g = 0;
            while (g < groups && s.GroupSlot[g] != slot)
            {
                g++;
            }

            if (g == groups)
            {
                s.GroupSlot[g] = slot;
                s.GroupCount[g] = 0;
                groups++;
            }

            s.GroupCount[g]++;
        }

        int start = 0;
        for (int g = 0; g < groups; g++)
        {
            s.GroupStart[g] = start;
            start += s.GroupCount[g];
            s.GroupCount[g] = 0;
        }

        for (int i = 0; i < count; i++)
        {
            int g = 0;
            while (s.GroupSlot[g] != slotOf[i])
            {
                g++;
            }

            s.Grouped[s.GroupStart[g] + s.GroupCount[g]++] = mbufs[i];
        }

        return groups;
    }

    /// <summary>
    /// Enqueues <paramref name="count"/> prepared ops, dequeues them all, groups the mbufs back by
    /// session into <see cref="BurstScratch.Grouped"/> (rte_ipsec_pkt_crypto_group, which flags the
    /// mbuf of every failed op with RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED) and returns the ops to their
    /// pool. Returns the number of groups in <see cref="BurstScratch.Groups"/>.
    /// </summary>
    private int CryptoStage(int count)
    {
        BurstScratch s = scratch;
        byte dev = options.CryptoDevice.DeviceId;
        ushort qp = options.CryptoQueuePair;
        int enqueued = 0;
        int dequeued = 0;
        while (dequeued < count)
        {
            if (enqueued < count)
            {
                enqueued += Shim.CryptodevEnqueueBurst(dev, qp, s.Ops + enqueued, (ushort)(count - enqueued));
            }

            dequeued += Shim.CryptodevDequeueBurst(dev, qp, s.Crypto + dequeued, (ushort)(count - dequeued));
        }

        int groups = Shim.IpsecPktCryptoGroup(s.Crypto, s.Grouped, s.Groups, (ushort)count);
        Shim.MempoolPutBulk(options.CryptoOpPool.DangerousGetHandle(), s.Crypto, (uint)count);
        return groups;
    }

    /// <summary>
    /// Trap 1 of rte_ipsec: rte_ipsec_pkt_process does not look at the crypto status. Moves the mbufs
    /// whose op failed (flagged by rte_ipsec_pkt_crypto_group) to the tail; returns the good count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MoveCryptoFailuresToTail(nint* mbufs, int count)
    {
        int good = 0;
        for (int i = 0; i < count; i++)
        {
            if ((Mbuf.OlFlags(mbufs[i]) & Mbuf.RxSecOffloadFailed) == 0)
            {
                good++;
            }
        }

        if (good == count)
        {
            return count;
        }

        // Stable partition with the tail as scratch: good ones first, failed ones after.
        nint* failed = stackalloc nint[count - good];
        int g = 0;
        int f = 0;
        for (int i = 0; i < count; i++)
        {
            nint m = mbufs[i];
            if ((Mbuf.OlFlags(m) & Mbuf.RxSecOffloadFailed) == 0)
            {
                mbufs[g++] = m;
            }
            else
            {
                failed[f++] = m;
            }
        }

        for (int i = 0; i < f; i++)
        {
            mbufs[g + i] = failed[i];
        }

        return good;
    }

    private void Transmit(EthPort port, nint* mbufs, int count)
    {
        if (count == 0)
        {
            return;
        }

        int sent = Shim.EthTxBurst(port.PortId, 0, mbufs, (ushort)count);
        if (sent < count)
        {
            txDropped += (ulong)(count - sent);
            Mempool.PktmbufFreeBulk(mbufs + sent, (uint)(count - sent));
        }
    }

    private void FlushFree()
    {
        if (scratch.FreeCount > 0)
        {
            Mempool.PktmbufFreeBulk(scratch.Free, (uint)scratch.FreeCount);
            scratch.FreeCount = 0;
        }
    }

    /// <summary>RFC 1071 checksum of an option-less or optioned IPv4 header (checksum field zeroed first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetIPv4Checksum(byte* ip)
    {
        int length = (ip[0] & 0x0F) * 4;
        ip[10] = 0;
        ip[11] = 0;
        uint sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            sum += (uint)((ip[i] << 8) | ip[i + 1]);
        }

        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(ip + 10, 2), (ushort)~sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort ReadUInt16(byte* p) => (ushort)((p[0] << 8) | p[1]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadUInt32(byte* p) => BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(p, 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteEthernet(byte* frame, byte[] destination, byte[] source, ushort etherType)
    {
        fixed (byte* d = destination)
        fixed (byte* s = source)
        {
            *(uint*)frame = *(uint*)d;
            *(ushort*)(frame + 4) = *(ushort*)(d + 4);
            *(uint*)(frame + 6) = *(uint*)s;
            *(ushort*)(frame + 10) = *(ushort*)(s + 4);
        }

        frame[12] = (byte)(etherType >> 8);
        frame[13] = (byte)etherType;
    }
}
