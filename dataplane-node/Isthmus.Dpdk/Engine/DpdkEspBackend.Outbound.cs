using Isthmus.Dpdk.Interop;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>Outbound: clear port → SPD → ESP tunnel encapsulation → cipher port.</summary>
public sealed unsafe partial class DpdkEspBackend
{
    private int Outbound(EngineTables t)
    {
        BurstScratch s = scratch;
        int received = Shim.EthRxBurst(options.ClearPort.PortId, 0, s.Rx, (ushort)s.Burst);
        if (received == 0)
        {
            return 0;
        }

        // Stage 1: parse and collect the rte_acl inputs per family.
        int n4 = 0;
        int n6 = 0;
        for (int i = 0; i < received; i++)
        {
            nint m = s.Rx[i];
            s.Rank[i] = uint.MaxValue;
            uint length = Mbuf.PacketLength(m);
            byte* frame = Mbuf.Data(m);
            if (Mbuf.Segments(m) != 1)
            {
                s.Rank[i] = uint.MaxValue - 1;
                continue;
            }

            ushort etherType = length >= EthernetLength ? ReadUInt16(frame + 12) : (ushort)0;
            byte* ip = frame + EthernetLength;
            if (etherType == EtherTypeIPv4 && length >= EthernetLength + 20 && (ip[0] >> 4) == 4)
            {
                if (ip[0] == 0x45)
                {
                    s.AclInput4[n4] = (nint)(ip + 9);
                    s.AclIndex4[n4++] = i;
                }
                else
                {
                    s.Rank[i] = Linear(t.OutSelectors, ip, length - EthernetLength);
                }
            }
            else if (etherType == EtherTypeIPv6 && length >= EthernetLength + 40 && (ip[0] >> 4) == 6)
            {
                byte next = ip[6];
                if (next is 6 or 17 or 132 or 1 or 58 or 4 or 41 or 47 or 50)
                {
                    s.AclInput6[n6] = (nint)(ip + 6);
                    s.AclIndex6[n6++] = i;
                }
                else
                {
                    s.Rank[i] = Linear(t.OutSelectors, ip, length - EthernetLength);
                }
            }
            else
            {
                s.Rank[i] = uint.MaxValue - 2;
            }
        }

        // Stage 2: SPD lookup.
        Classify(t.Out4, s.AclInput4, s.AclResult4, s.AclIndex4, n4, s.Rank);
        Classify(t.Out6, s.AclInput6, s.AclResult6, s.AclIndex6, n6, s.Rank);

        // Stage 3: apply the policy; protected packets go to Work with their SA slot.
        int protect = 0;
        int bypass = 0;
        int replies = 0;
        for (int i = 0; i < received; i++)
        {
            nint m = s.Rx[i];
            uint rank = s.Rank[i];
            if (rank == uint.MaxValue - 1)
            {
                DropGlobal(m, DropReason.Malformed);
                continue;
            }

            if (rank == uint.MaxValue - 2 || rank == uint.MaxValue)
            {
                DropGlobal(m, Mbuf.PacketLength(m) < EthernetLength + 20 ? DropReason.Runt : DropReason.UnsupportedProtocol);
                continue;
            }

            if (rank == 0)
            {
                DropGlobal(m, DropReason.NoPolicy);
                continue;
            }

            EspPolicy policy = t.OutPolicies[rank - 1];
            if (policy.Action == PolicyAction.Discard)
            {
                DropGlobal(m, DropReason.PolicyDiscard);
                continue;
            }

            byte* frame = Mbuf.Data(m);
            if (policy.Action == PolicyAction.Bypass)
            {
                WriteEthernet(frame, cipherNextHop, cipherMac, ReadUInt16(frame + 12));
                s.Tx[bypass++] = m;
                continue;
            }

            SaRuntime? sa = t.OutPolicySa[rank - 1];
            uint length = Mbuf.PacketLength(m);
            if (sa is null)
            {
                DropGlobal(m, DropReason.NoSa);
                RaiseAcquire(t, (int)rank - 1, frame + EthernetLength, length - EthernetLength);
                continue;
            }

            if (sa.HardExpired)
            {
                DropOnSa(m, DropReason.HardLifetime, sa);
                continue;
            }

            uint inner = length - EthernetLength;
            byte* ip = frame + EthernetLength;
            byte after = 0;
            if (sa.Mtu != 0)
            {
                // RFC 4301 §8: too big for the SA -> fragment the outer packet after encryption, or
                // drop it with an ICMP "too big" back to its source (the SA's PathMtuPolicy).
                uint outer = OuterLength(sa, inner);
                if (outer > (uint)sa.Mtu)
                {
                    if (!EspMtu.ShouldFragment(sa.PathMtu, sa.OuterIPv6, new ReadOnlySpan<byte>(ip, (int)inner), sa.MaxInner) ||
                        EspMtu.FragmentCount((int)outer, sa.Mtu) == 0)
                    {
                        replies = TooBig(m, sa, ip, inner, replies);
                        continue;
                    }

                    after = FragmentAfterEncryption;
                }

                if ((sa.Mss4 | sa.Mss6) != 0)
                {
                    TcpMssClamp.Apply(new Span<byte>(ip, (int)inner), sa.Mss4, sa.Mss6);
                }
            }

            *(byte*)(m + PrivFlags) = after;
            *(uint*)(m + PrivInnerLength) = inner;
            *(byte*)(m + PrivInnerTos) = (ip[0] >> 4) == 4 ? (byte)(ip[6] & 0x40) : (byte)0;
            Mbuf.SetL2L3(m, EthernetLength, (ip[0] >> 4) == 4 ? 20u : 40u);
            s.Work[protect] = m;
            s.Slot[protect++] = sa.Slot;
        }

        Transmit(options.CipherPort, s.Tx, bypass);
        bypassPackets += (ulong)bypass;
        Transmit(options.ClearPort, s.Reply, replies);

        if (protect > 0)
        {
            EncryptAndSend(t, protect);
        }

        FlushFree();
        return received;
    }

    private void EncryptAndSend(EngineTables t, int protect)
    {
        BurstScratch s = scratch;
        int groups = GroupBySa(s.Work, s.Slot, protect);
        uint ops = Shim.CryptoOpBulkAlloc(options.CryptoOpPool.DangerousGetHandle(), CryptoConstants.OpTypeSymmetric, s.Ops, (ushort)protect);
        if (ops == 0)
        {
            for (int i = 0; i < protect; i++)
            {
                DropOnSa(s.Grouped[i], DropReason.BufferTooSmall, t.Slots[s.Slot[i]]!);
            }

            return;
        }

        // rte_ipsec_pkt_crypto_prepare per SA: assigns sequence numbers, builds the ESP header,
        // padding and trailer, and fills each op. Failures (sequence overflow, no tailroom) come last.
        int ready = 0;
        for (int g = 0; g < groups; g++)
        {
            SaRuntime sa = t.Slots[s.GroupSlot[g]]!;
            nint* mbufs = s.Grouped + s.GroupStart[g];
            int count = s.GroupCount[g];
            int allowed = count;
            if (sa.HardPackets != 0 && sa.Packets + (ulong)count > sa.HardPackets)
            {
                allowed = (int)(sa.HardPackets - Math.Min(sa.Packets, sa.HardPackets));
            }

            int good = Shim.IpsecPktCryptoPrepare((IpsecSession*)sa.Session, mbufs, s.Ops + ready, (ushort)allowed);
            for (int i = good; i < count; i++)
            {
                DropOnSa(mbufs[i], i >= allowed ? DropReason.HardLifetime : SequenceOrSpace(sa), sa);
            }

            for (int i = 0; i < good; i++)
            {
                s.Work[ready + i] = mbufs[i];
            }

            ready += good;
        }

        if (ready < protect)
        {
            Shim.MempoolPutBulk(options.CryptoOpPool.DangerousGetHandle(), s.Ops + ready, (uint)(protect - ready));
        }

        if (ready == 0)
        {
            return;
        }

        int cryptoGroups = CryptoStage(ready);
        int tx = 0;
        for (int g = 0; g < cryptoGroups; g++)
        {
            IpsecGroup* group = s.Groups + g;
            SaRuntime? sa = t.Slots[IpsecSaHandle.SlotOf(group->Id)];
            int count = (int)group->Count;
            nint* mbufs = group->Mbufs;
            int good = MoveCryptoFailuresToTail(mbufs, count);
            int processed = good == 0 ? 0 : Shim.IpsecPktProcess((IpsecSession*)group->Id, mbufs, (ushort)good);
            for (int i = processed; i < count; i++)
            {
                DropOnSa(mbufs[i], DropReason.Malformed, sa!);
            }

            ulong bytes = 0;
            int sent = 0;
            for (int i = 0; i < processed; i++)
            {
                nint m = mbufs[i];
                byte* ip = Mbuf.Data(m) + EthernetLength;
                if (!sa!.OuterIPv6)
                {
                    FixOuterIPv4(ip, sa.DontFragment, *(byte*)(m + PrivInnerTos));
                }
                else if (sa.Encapsulated)
                {
                    SetUdpOverIPv6Checksum(ip);
                }

                Mbuf.OlFlags(m) = 0;
                if (*(byte*)(m + PrivFlags) == FragmentAfterEncryption)
                {
                    int after = FragmentOuter(m, sa, tx);
                    if (after < 0)
                    {
                        continue;
                    }

                    tx = after;
                }
                else
                {
                    s.Tx[tx++] = m;
                }

                bytes += *(uint*)(m + PrivInnerLength);
                sent++;
            }

            sa!.Bytes += bytes;
            sa.Packets += (ulong)sent;
            sa.HighestSequence += (ulong)processed;
            RaiseLifetimeEvents(sa);
        }

        Transmit(options.CipherPort, s.Tx, tx);
    }

    /// <summary>
    /// Drops a packet too big for its SA (counted once, as <see cref="DropReason.MtuExceeded"/>) and,
    /// rate permitting, turns its mbuf into the ICMP "fragmentation needed" / ICMPv6 Packet Too Big
    /// message back to its source on the clear side (<see cref="PacketTooBig"/>). Returns the new reply count.
    /// </summary>
    private int TooBig(nint m, SaRuntime sa, byte* ip, uint inner, int replies)
    {
        BurstScratch s = scratch;
        sa.Drops[(int)DropReason.MtuExceeded]++;
        int length = PacketTooBig.Write(new ReadOnlySpan<byte>(ip, (int)inner), sa.ReportedMtu, sa.LocalAddress, new Span<byte>(s.IcmpMessage, PacketTooBig.MaxLength));
        if (length == 0 || !icmpLimiter.TryAcquire())
        {
            s.Free[s.FreeCount++] = m;
            return replies;
        }

        byte* frame = Mbuf.Reset(m, (uint)(EthernetLength + length));
        WriteEthernet(frame, clearNextHop, clearMac, (s.IcmpMessage[0] >> 4) == 6 ? EtherTypeIPv6 : EtherTypeIPv4);
        new ReadOnlySpan<byte>(s.IcmpMessage, length).CopyTo(new Span<byte>(frame + EthernetLength, length));
        sa.IcmpErrors++;
        s.Reply[replies] = m;
        return replies + 1;
    }

    /// <summary>
    /// RFC 4301 §8 post-fragmentation: cuts the encrypted outer IPv4 packet with rte_ipv4_fragment_packet
    /// (DF cleared first, fragment payloads a multiple of 8), gives every fragment its Ethernet header
    /// and IPv4 checksum and queues them at <paramref name="tx"/>. Frees the packet (the fragments hold
    /// references on its data). Returns the new tx count, or -1 when the fragments could not be
    /// allocated (dropped as <see cref="DropReason.BufferTooSmall"/>).
    /// </summary>
    private int FragmentOuter(nint m, SaRuntime sa, int tx)
    {
        BurstScratch s = scratch;
        byte* ip = Mbuf.Adjust(m, EthernetLength);
        ip[6] &= 0xBF;
        int count = IpFrag.Ipv4FragmentPacket(m, s.Fragments, EspMtu.MaxFragments, sa.FragmentMtu, fragmentPool, fragmentPool);
        s.Free[s.FreeCount++] = m;
        if (count <= 0)
        {
            sa.Drops[(int)DropReason.BufferTooSmall]++;
            return -1;
        }

        for (int k = 0; k < count; k++)
        {
            nint fragment = s.Fragments[k];
            byte* frame = Mbuf.Prepend(fragment, EthernetLength);
            WriteEthernet(frame, cipherNextHop, cipherMac, EtherTypeIPv4);
            SetIPv4Checksum(frame + EthernetLength);
            s.Tx[tx++] = fragment;
        }

        sa.Fragments += (ulong)count;
        return tx;
    }

    private static DropReason SequenceOrSpace(SaRuntime sa) =>
        !sa.Sa.ExtendedSequenceNumbers && sa.HighestSequence >= uint.MaxValue ? DropReason.SequenceOverflow : DropReason.BufferTooSmall;

    /// <summary>Outer header: DF per the SA (copied from the inner IPv4 header by default), then the RFC 1071 checksum rte_ipsec leaves to the caller.</summary>
    private static void FixOuterIPv4(byte* ip, DontFragmentMode mode, byte innerDf)
    {
        byte df = mode switch
        {
            DontFragmentMode.Set => 0x40,
            DontFragmentMode.Clear => 0,
            _ => innerDf,
        };
        ip[6] = (byte)((ip[6] & ~0x40) | df);
        SetIPv4Checksum(ip);
    }

    /// <summary>RFC 8200 §8.1: UDP over IPv6 needs a checksum (rte_ipsec leaves 0).</summary>
    private static void SetUdpOverIPv6Checksum(byte* ip)
    {
        uint udpLength = ReadUInt16(ip + 4);
        byte* udp = ip + 40;
        udp[6] = 0;
        udp[7] = 0;
        ulong sum = 17 + udpLength;
        for (int i = 8; i < 40; i += 2)
        {
            sum += (uint)((ip[i] << 8) | ip[i + 1]);
        }

        for (uint i = 0; i + 1 < udpLength; i += 2)
        {
            sum += (uint)((udp[i] << 8) | udp[i + 1]);
        }

        if ((udpLength & 1) != 0)
        {
            sum += (uint)(udp[udpLength - 1] << 8);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        ushort checksum = (ushort)~sum;
        if (checksum == 0)
        {
            checksum = 0xFFFF;
        }

        udp[6] = (byte)(checksum >> 8);
        udp[7] = (byte)checksum;
    }

    private static uint OuterLength(SaRuntime sa, uint inner)
    {
        uint block = (uint)EspAlgorithms.PadBlock(sa.Sa.Encryption);
        uint payload = (inner + 2 + block - 1) / block * block;
        return (sa.OuterIPv6 ? 40u : 20u) + (sa.Encapsulated ? 8u : 0u) + 8u + (uint)sa.IvLength + payload + (uint)sa.IcvLength;
    }

    /// <summary>rte_acl lookup of <paramref name="count"/> packets; writes each packet's rank plus one (0: no match) to <paramref name="rank"/>.</summary>
    private static void Classify(AclSpd? acl, nint* inputs, uint* results, int* index, int count, uint* rank)
    {
        if (count == 0)
        {
            return;
        }

        if (acl is null)
        {
            for (int i = 0; i < count; i++)
            {
                rank[index[i]] = 0;
            }

            return;
        }

        acl.Classify((byte**)inputs, results, count);
        for (int i = 0; i < count; i++)
        {
            rank[index[i]] = results[i];
        }
    }

    private static uint Linear((CompiledSelector Source, CompiledSelector Destination, ushort SourcePortStart, ushort SourcePortEnd)[] table, byte* ip, uint length) =>
        SelectorMatcher.TryReadFlow(ip, length, out PacketTuple flow) ? EngineTables.MatchLinear(table, flow) : 0;
}
