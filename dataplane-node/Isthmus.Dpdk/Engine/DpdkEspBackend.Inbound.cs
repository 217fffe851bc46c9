using System.Diagnostics;
using Isthmus.Dpdk.Interop;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>Inbound: cipher port → host traffic split off → SA by SPI → ESP decapsulation → selector check → clear port.</summary>
public sealed unsafe partial class DpdkEspBackend
{
    private const uint ToHost = uint.MaxValue;
    private const uint Plain = uint.MaxValue - 1;
    private const uint OuterFragment = uint.MaxValue - 2;

    private int Inbound(EngineTables t)
    {
        BurstScratch s = scratch;
        int received = Shim.EthRxBurst(options.CipherPort.PortId, 0, s.Rx, (ushort)s.Burst);
        if (received == 0)
        {
            return 0;
        }

        // Stage 1: find the ESP header (plain or in UDP), split off host and plain traffic.
        int esp = 0;
        int host = 0;
        int n4 = 0;
        int n6 = 0;
        for (int i = 0; i < received; i++)
        {
            nint m = s.Rx[i];
            DropReason reason = ClassifyCipherSide(m, out uint l3Length, out bool udp, out bool ipv6);
            if (reason == DropReason.None && l3Length == OuterFragment)
            {
                m = Reassemble(m);
                if (m == nint.Zero)
                {
                    continue;
                }

                reason = ClassifyCipherSide(m, out l3Length, out udp, out ipv6);
                if (l3Length == OuterFragment)
                {
                    reason = DropReason.Malformed;
                }
            }

            if (reason != DropReason.None)
            {
                DropGlobal(m, reason);
                continue;
            }

            if (l3Length == ToHost)
            {
                s.Host[host++] = m;
                continue;
            }

            byte* ip = Mbuf.Data(m) + EthernetLength;
            if (l3Length == Plain)
            {
                // Not ESP: the inbound SPD decides (bypass, discard, or protect = must have come through ESP).
                s.Work[esp] = m;
                s.Slot[esp] = uint.MaxValue;
                if (ipv6)
                {
                    s.AclInput6[n6] = (nint)(ip + 6);
                    s.AclIndex6[n6++] = esp;
                }
                else if (ip[0] == 0x45)
                {
                    s.AclInput4[n4] = (nint)(ip + 9);
                    s.AclIndex4[n4++] = esp;
                }
                else
                {
                    s.Rank[esp] = Linear(t.InSelectors, ip, Mbuf.PacketLength(m) - EthernetLength);
                }

                esp++;
                continue;
            }

            Mbuf.SetL2L3(m, EthernetLength, l3Length);
            s.Work[esp] = m;
            s.Slot[esp] = udp ? 1u : 0u;
            s.SadKeys[esp] = (nint)(ip + l3Length);
            esp++;
        }

        // Fragments rte_ip_frag gave up on (overlaps, duplicates, too many, timed out): one drop each.
        uint abandoned = *(uint*)deathRow;
        if (abandoned != 0)
        {
            globalDrops[(int)DropReason.Fragmented] += abandoned;
            IpFrag.FreeDeathRow(deathRow, 3);
        }

        if (host > 0)
        {
            hostPackets += (ulong)host;
            if (options.HostPort is { } hostPort)
            {
                Transmit(hostPort, s.Host, host);
            }
            else
            {
                Mempool.PktmbufFreeBulk(s.Host, (uint)host);
            }
        }

        Classify(t.In4, s.AclInput4, s.AclResult4, s.AclIndex4, n4, s.Rank);
        Classify(t.In6, s.AclInput6, s.AclResult6, s.AclIndex6, n6, s.Rank);

        // Stage 2: plain packets by inbound policy; ESP packets by SPI (rte_ipsec_sad).
        int plainOut = 0;
        int protect = 0;
        for (int i = 0; i < esp; i++)
        {
            nint m = s.Work[i];
            if (s.Slot[i] != uint.MaxValue)
            {
                s.Crypto[protect] = m;
                s.Rank[protect] = s.Slot[i];
                s.SadKeys[protect++] = s.SadKeys[i];
                continue;
            }

            uint rank = s.Rank[i];
            if (rank == 0)
            {
                DropGlobal(m, DropReason.NoPolicy);
                continue;
            }

            EspPolicy policy = t.InPolicies[rank - 1];
            if (policy.Action == PolicyAction.Bypass)
            {
                byte* frame = Mbuf.Data(m);
                WriteEthernet(frame, clearNextHop, clearMac, ReadUInt16(frame + 12));
                s.Tx[plainOut++] = m;
            }
            else
            {
                DropGlobal(m, policy.Action == PolicyAction.Protect ? DropReason.NotProtected : DropReason.PolicyDiscard);
            }
        }

        bypassPackets += (ulong)plainOut;
        Transmit(options.ClearPort, s.Tx, plainOut);
        if (protect > 0)
        {
            DecryptAndSend(t, protect);
        }

        FlushFree();
        return received;
    }

    /// <summary>
    /// Outer IPv4 reassembly (RFC 791 §3.2, rte_ipv4_frag_reassemble_packet): takes one fragment of an
    /// ESP or UDP packet and returns the whole packet, linearised with its checksum rewritten, once its
    /// last fragment is in; else 0 (held, or on the death row when the table refused it: overlapping,
    /// too many fragments, timed out).
    /// </summary>
    private nint Reassemble(nint m)
    {
        byte* ip = Mbuf.Data(m) + EthernetLength;
        Mbuf.SetL2L3(m, EthernetLength, (uint)(ip[0] & 0x0F) * 4);
        nint whole = IpFrag.Ipv4FragReassemblePacket(reassemblyTable, deathRow, m, (ulong)Stopwatch.GetTimestamp(), ip);
        if (whole == nint.Zero)
        {
            return nint.Zero;
        }

        if (Mbuf.Segments(whole) != 1 && Shim.PktmbufLinearize(whole) != 0)
        {
            DropGlobal(whole, DropReason.BufferTooSmall);
            return nint.Zero;
        }

        reassembledPackets++;
        SetIPv4Checksum(Mbuf.Data(whole) + EthernetLength);
        return whole;
    }

    /// <summary>
    /// Where a frame from the cipher side goes: ESP (l3Length = bytes before the ESP header, after
    /// Ethernet), <see cref="Plain"/> IP, <see cref="OuterFragment"/> (an IPv4 fragment of ESP or UDP,
    /// to be reassembled), or <see cref="ToHost"/> (IKE on 500, non-ESP marker or NAT keepalive on
    /// 4500, non-IP). Returns the drop reason for frames that go nowhere.
    /// </summary>
    private DropReason ClassifyCipherSide(nint m, out uint l3Length, out bool udp, out bool ipv6)
    {
        l3Length = Plain;
        udp = false;
        ipv6 = false;
        uint length = Mbuf.PacketLength(m);
        if (Mbuf.Segments(m) != 1)
        {
            return DropReason.Malformed;
        }

        if (length < EthernetLength)
        {
            return DropReason.Runt;
        }

        byte* frame = Mbuf.Data(m);
        ushort etherType = ReadUInt16(frame + 12);
        byte* ip = frame + EthernetLength;
        uint ipLength = length - EthernetLength;
        uint header;
        byte protocol;
        if (etherType == EtherTypeIPv4)
        {
            if (ipLength < 20 || (ip[0] >> 4) != 4)
            {
                return ipLength < 20 ? DropReason.Runt : DropReason.Malformed;
            }

            header = (uint)(ip[0] & 0x0F) * 4;
            if (header < 20 || ipLength < header || ReadUInt16(ip + 2) > ipLength || ReadUInt16(ip + 2) < header)
            {
                return DropReason.Malformed;
            }

            protocol = ip[9];
            if ((protocol == 50 || protocol == 17) && (((ip[6] & 0x3F) | ip[7]) != 0))
            {
                l3Length = OuterFragment;
                return DropReason.None;
            }
        }
        else if (etherType == EtherTypeIPv6)
        {
            if (ipLength < 40 || (ip[0] >> 4) != 6)
            {
                return ipLength < 40 ? DropReason.Runt : DropReason.Malformed;
            }

            ipv6 = true;
            header = 40;
            protocol = ip[6];
            if (protocol == 44)
            {
                return DropReason.Fragmented;
            }
        }
        else
        {
            l3Length = ToHost;
            return DropReason.None;
        }

        if (protocol == 50)
        {
            if (ipLength < header + 8)
            {
                return DropReason.Runt;
            }

            l3Length = header;
            return DropReason.None;
        }

        if (protocol == 17 && ipLength >= header + 8)
        {
            byte* udpHeader = ip + header;
            ushort destinationPort = ReadUInt16(udpHeader + 2);
            ushort sourcePort = ReadUInt16(udpHeader);
            if (destinationPort == 500 || sourcePort == 500)
            {
                l3Length = ToHost;
                return DropReason.None;
            }

            if (destinationPort == options.NatTraversalPort)
            {
                uint payload = ipLength - header - 8;
                byte* data = udpHeader + 8;
                if (payload == 1 && data[0] == 0xFF)
                {
                    l3Length = ToHost; // NAT keepalive (RFC 3948 §2.3)
                    return DropReason.None;
                }

                if (payload >= 4 && *(uint*)data == 0)
                {
                    l3Length = ToHost; // non-ESP marker: IKE (RFC 3948 §2.2)
                    return DropReason.None;
                }

                if (payload < 8)
                {
                    return DropReason.Runt;
                }

                udp = true;
                l3Length = header + 8;
                return DropReason.None;
            }
        }

        return DropReason.None;
    }

    private void DecryptAndSend(EngineTables t, int count)
    {
        BurstScratch s = scratch;
        _ = Ipsec.SadLookup(sad, (IpsecSadKey**)s.SadKeys, s.SadResult, (uint)count);

        // Stage 3: per-SA checks before any crypto.
        int known = 0;
        for (int i = 0; i < count; i++)
        {
            nint m = s.Crypto[i];
            nint session = s.SadResult[i];
            SaRuntime? sa = session == nint.Zero ? null : t.Slots[IpsecSaHandle.SlotOf(session)];
            if (sa is null || sa.Sa.Direction != EspDirection.Inbound)
            {
                DropGlobal(m, DropReason.UnknownSpi);
                continue;
            }

            bool udp = s.Rank[i] == 1;
            byte* ip = Mbuf.Data(m) + EthernetLength;
            if (udp != sa.Encapsulated || ((ip[0] >> 4) == 6) != sa.OuterIPv6)
            {
                DropOnSa(m, DropReason.Malformed, sa);
                continue;
            }

            if (sa.HardExpired)
            {
                DropOnSa(m, DropReason.HardLifetime, sa);
                continue;
            }

            // RFC 4303 §2: ESP header, IV, at least a pad-length and next-header octet padded to the block, ICV.
            byte* espHeader = (byte*)s.SadKeys[i];
            uint espLength = Mbuf.PacketLength(m) - (uint)(espHeader - Mbuf.Data(m));
            long cipherLength = (long)espLength - 8 - sa.IvLength - sa.IcvLength;
            int block = EspAlgorithms.PadBlock(sa.Sa.Encryption);
            if (cipherLength < 2)
            {
                DropOnSa(m, DropReason.Runt, sa);
                continue;
            }

            if (cipherLength % block != 0)
            {
                DropOnSa(m, DropReason.Malformed, sa);
                continue;
            }

            // RFC 4303 §3.4.3: the replay check comes before any crypto.
            ulong sequence = sa.Replay.Infer(ReadUInt32(espHeader + 4), sa.Sa.ExtendedSequenceNumbers);
            DropReason replay = sa.Replay.Check(sequence);
            if (replay != DropReason.None)
            {
                DropOnSa(m, replay, sa);
                continue;
            }

            *(ulong*)(m + PrivSequence) = sequence;
            s.Work[known] = m;
            s.Slot[known++] = sa.Slot;
        }

        if (known == 0)
        {
            return;
        }

        int groups = GroupBySa(s.Work, s.Slot, known);
        uint ops = Shim.CryptoOpBulkAlloc(options.CryptoOpPool.DangerousGetHandle(), CryptoConstants.OpTypeSymmetric, s.Ops, (ushort)known);
        if (ops == 0)
        {
            for (int i = 0; i < known; i++)
            {
                DropOnSa(s.Grouped[i], DropReason.BufferTooSmall, t.Slots[s.Slot[i]]!);
            }

            return;
        }

        // rte_ipsec_pkt_crypto_prepare checks the replay window (RFC 4303 §3.4.3) before any crypto.
        int ready = 0;
        for (int g = 0; g < groups; g++)
        {
            SaRuntime sa = t.Slots[s.GroupSlot[g]]!;
            nint* mbufs = s.Grouped + s.GroupStart[g];
            int groupCount = s.GroupCount[g];
            int good = Shim.IpsecPktCryptoPrepare((IpsecSession*)sa.Session, mbufs, s.Ops + ready, (ushort)groupCount);
            for (int i = good; i < groupCount; i++)
            {
                DropOnSa(mbufs[i], ReplayReason(sa, *(ulong*)(mbufs[i] + PrivSequence)), sa);
            }

            for (int i = 0; i < good; i++)
            {
                s.Work[ready + i] = mbufs[i];
            }

            ready += good;
        }

        if (ready < known)
        {
            Shim.MempoolPutBulk(options.CryptoOpPool.DangerousGetHandle(), s.Ops + ready, (uint)(known - ready));
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
            SaRuntime sa = t.Slots[IpsecSaHandle.SlotOf(group->Id)]!;
            int groupCount = (int)group->Count;
            nint* mbufs = group->Mbufs;

            // Trap 1: a failed ICV must never reach rte_ipsec_pkt_process (it would accept the packet).
            int verified = MoveCryptoFailuresToTail(mbufs, groupCount);
            for (int i = verified; i < groupCount; i++)
            {
                DropOnSa(mbufs[i], DropReason.IntegrityFailed, sa);
            }

            if (verified == 0)
            {
                continue;
            }

            int processed = Shim.IpsecPktProcess((IpsecSession*)group->Id, mbufs, (ushort)verified);

            ulong bytes = 0;
            int accepted = 0;
            for (int i = 0; i < processed; i++)
            {
                nint m = mbufs[i];
                uint innerLength = Mbuf.PacketLength(m);
                byte* inner = Mbuf.Data(m);
                if (!SelectorMatcher.TryReadFlow(inner, innerLength, out PacketTuple flow))
                {
                    DropOnSa(m, DropReason.Malformed, sa);
                    continue;
                }

                if (!SelectorMatcher.InboundWithin(flow, sa.Local, sa.Remote))
                {
                    DropOnSa(m, DropReason.SelectorMismatch, sa);
                    continue;
                }

                // Authenticated: only now does the window advance (RFC 4303 §3.4.3).
                if (!sa.Replay.Accept(*(ulong*)(m + PrivSequence)))
                {
                    DropOnSa(m, DropReason.Replay, sa);
                    continue;
                }

                if ((sa.Mss4 | sa.Mss6) != 0)
                {
                    TcpMssClamp.Apply(new Span<byte>(inner, (int)innerLength), sa.Mss4, sa.Mss6);
                }

                byte* frame = Mbuf.Prepend(m, EthernetLength);
                if (frame == null)
                {
                    DropOnSa(m, DropReason.BufferTooSmall, sa);
                    continue;
                }

                WriteEthernet(frame, clearNextHop, clearMac, flow.IsIPv6 ? EtherTypeIPv6 : EtherTypeIPv4);
                Mbuf.OlFlags(m) = 0;
                bytes += innerLength;
                accepted++;
                s.Tx[tx++] = m;
            }

            // Refused by rte_ipsec_pkt_process although the ICV verified: a duplicate within the burst
            // (now behind the window), else the decrypted trailer is bad (such mbufs are left untrimmed).
            for (int i = processed; i < verified; i++)
            {
                nint m = mbufs[i];
                DropReason reason = sa.Replay.Check(*(ulong*)(m + PrivSequence));
                DropOnSa(m, reason != DropReason.None ? reason : TrailerReason(sa, m), sa);
            }

            sa.Bytes += bytes;
            sa.Packets += (ulong)accepted;
            Volatile.Write(ref sa.HighestSequence, sa.Replay.Highest);
            RaiseLifetimeEvents(sa);
        }

        Transmit(options.ClearPort, s.Tx, tx);
    }

    /// <summary>Why rte_ipsec refused a packet before crypto that the engine's own window let through: too old, or a duplicate.</summary>
    private static DropReason ReplayReason(SaRuntime sa, ulong sequence)
    {
        DropReason reason = sa.Replay.Check(sequence);
        return reason == DropReason.None ? DropReason.Replay : reason;
    }

    /// <summary>Why rte_ipsec_pkt_process refused a packet whose ICV verified and that is no replay: the decrypted trailer.</summary>
    private static DropReason TrailerReason(SaRuntime sa, nint m)
    {
        byte* data = Mbuf.Data(m);
        uint length = Mbuf.PacketLength(m);
        uint tail = length - (uint)sa.IcvLength - (sa.Sa.ExtendedSequenceNumbers ? 4u : 0u);
        byte nextHeader = data[tail - 1];
        byte padLength = data[tail - 2];
        if (nextHeader == 59)
        {
            return DropReason.DummyPacket;
        }

        if (nextHeader != 4 && nextHeader != 41)
        {
            return DropReason.BadNextHeader;
        }

        byte* pad = data + tail - 2 - padLength;
        for (int i = 0; i < padLength; i++)
        {
            if (pad[i] != (byte)(i + 1))
            {
                return DropReason.BadPadding;
            }
        }

        return nextHeader == (IpsecSaHandle.InnerIsIPv6(sa.Sa, sa.OuterIPv6) ? 41 : 4) ? DropReason.Malformed : DropReason.BadNextHeader;
    }
}
