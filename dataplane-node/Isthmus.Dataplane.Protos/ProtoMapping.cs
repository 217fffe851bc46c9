using System.Net;
using Google.Protobuf;
using Isthmus.Esp;
using V1 = Isthmus.Dataplane.Protos.V1;

namespace Isthmus.Dataplane.Protos;

/// <summary>
/// Converts between the dataplane model (Isthmus.Esp) and the control API messages. Parsing wire
/// messages never throws: a bad field yields an error text naming the field (never key material).
/// </summary>
public static class ProtoMapping
{
    public static V1.Sa ToProto(EspSa sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        var proto = new V1.Sa
        {
            Spi = sa.Spi,
            Direction = ToProto(sa.Direction),
            TunnelSource = sa.TunnelSource.ToString(),
            TunnelDestination = sa.TunnelDestination.ToString(),
            Encapsulation = ToProto(sa.Encapsulation),
            Encryption = (V1.EncryptionAlgorithm)((int)sa.Encryption + 1),
            EncryptionKey = ByteString.CopyFrom(sa.EncryptionKey.Span),
            Integrity = (V1.IntegrityAlgorithm)(int)sa.Integrity,
            IntegrityKey = ByteString.CopyFrom(sa.IntegrityKey.Span),
            ReplayWindow = (uint)sa.ReplayWindow,
            ExtendedSequenceNumbers = sa.ExtendedSequenceNumbers,
            Lifetime = ToProto(sa.Lifetime),
            DontFragment = (V1.DontFragment)(int)sa.DontFragment,
            OuterHopLimit = sa.OuterHopLimit,
            Mtu = (uint)sa.Mtu,
            PathMtu = (V1.PathMtuPolicy)(int)sa.PathMtu,
            NoTcpMssClamp = !sa.ClampTcpMss,
        };
        proto.LocalSelectors.Add(sa.LocalSelectors.Select(ToProto));
        proto.RemoteSelectors.Add(sa.RemoteSelectors.Select(ToProto));
        if (sa.InitialSequenceNumber is { } initial)
        {
            proto.InitialSequenceNumber = initial;
        }

        return proto;
    }

    /// <summary>Reads an SA from the wire; returns null and an error when a field is unusable. The SA still needs <see cref="EspSa.Validate"/>.</summary>
    public static EspSa? TryFromProto(V1.Sa? proto, out string error)
    {
        error = string.Empty;
        if (proto is null)
        {
            error = "sa is required";
            return null;
        }

        if (!TryDirection(proto.Direction, out var direction))
        {
            error = "direction must be INBOUND or OUTBOUND";
            return null;
        }

        if (!IPAddress.TryParse(proto.TunnelSource, out var source) || !IPAddress.TryParse(proto.TunnelDestination, out var destination))
        {
            error = "tunnel_source and tunnel_destination must be IP addresses";
            return null;
        }

        int encryption = (int)proto.Encryption - 1;
        if (encryption < 0 || !Enum.IsDefined((EspEncryptionAlgorithm)encryption))
        {
            error = "encryption algorithm is missing or unknown";
            return null;
        }

        if (!Enum.IsDefined((EspIntegrityAlgorithm)(int)proto.Integrity))
        {
            error = "integrity algorithm is unknown";
            return null;
        }

        if (proto.ReplayWindow > EspSa.MaxReplayWindow || proto.OuterHopLimit > 255 || proto.Mtu > 65535)
        {
            error = "replay_window, outer_hop_limit or mtu out of range";
            return null;
        }

        if (proto.Encapsulation is { } encap && (encap.SourcePort > 65535 || encap.DestinationPort > 65535))
        {
            error = "UDP encapsulation ports out of range";
            return null;
        }

        if (!TrySelectors(proto.LocalSelectors, out var local, out error) || !TrySelectors(proto.RemoteSelectors, out var remote, out error))
        {
            return null;
        }

        if (!Enum.IsDefined((DontFragmentMode)(int)proto.DontFragment))
        {
            error = "dont_fragment is unknown";
            return null;
        }

        if (!Enum.IsDefined((PathMtuPolicy)(int)proto.PathMtu))
        {
            error = "path_mtu is unknown";
            return null;
        }

        return new EspSa
        {
            Spi = proto.Spi,
            Direction = direction,
            TunnelSource = source,
            TunnelDestination = destination,
            Encapsulation = proto.Encapsulation is { } e ? new UdpEncapsulation((ushort)e.SourcePort, (ushort)e.DestinationPort) : null,
            Encryption = (EspEncryptionAlgorithm)encryption,
            EncryptionKey = proto.EncryptionKey.Memory,
            Integrity = (EspIntegrityAlgorithm)(int)proto.Integrity,
            IntegrityKey = proto.IntegrityKey.Memory,
            ReplayWindow = (int)proto.ReplayWindow,
            ExtendedSequenceNumbers = proto.ExtendedSequenceNumbers,
            Lifetime = proto.Lifetime is { } l ? new EspLifetime(l.SoftBytes, l.HardBytes, l.SoftPackets, l.HardPackets) : EspLifetime.Unlimited,
            LocalSelectors = local,
            RemoteSelectors = remote,
            InitialSequenceNumber = proto.HasInitialSequenceNumber ? proto.InitialSequenceNumber : null,
            DontFragment = (DontFragmentMode)(int)proto.DontFragment,
            OuterHopLimit = proto.OuterHopLimit == 0 ? (byte)64 : (byte)proto.OuterHopLimit,
            Mtu = (int)proto.Mtu,
            PathMtu = (PathMtuPolicy)(int)proto.PathMtu,
            ClampTcpMss = !proto.NoTcpMssClamp,
        };
    }

    public static V1.SaInfo ToProto(EspSaSummary sa)
    {
        var proto = new V1.SaInfo
        {
            Spi = sa.Spi,
            Direction = ToProto(sa.Direction),
            TunnelSource = sa.TunnelSource.ToString(),
            TunnelDestination = sa.TunnelDestination.ToString(),
            Encapsulation = ToProto(sa.Encapsulation),
            Encryption = (V1.EncryptionAlgorithm)((int)sa.Encryption + 1),
            Integrity = (V1.IntegrityAlgorithm)(int)sa.Integrity,
            ReplayWindow = (uint)sa.ReplayWindow,
            ExtendedSequenceNumbers = sa.ExtendedSequenceNumbers,
            Lifetime = ToProto(sa.Lifetime),
            DontFragment = (V1.DontFragment)(int)sa.DontFragment,
            Mtu = (uint)sa.Mtu,
            PathMtu = (V1.PathMtuPolicy)(int)sa.PathMtu,
            NoTcpMssClamp = !sa.ClampTcpMss,
            SequenceNumber = sa.SequenceNumber,
            SoftExpired = sa.SoftExpired,
            HardExpired = sa.HardExpired,
        };
        proto.LocalSelectors.Add(sa.LocalSelectors.Select(ToProto));
        proto.RemoteSelectors.Add(sa.RemoteSelectors.Select(ToProto));
        return proto;
    }

    public static EspSaSummary FromProto(V1.SaInfo proto)
    {
        TrySelectors(proto.LocalSelectors, out var local, out _);
        TrySelectors(proto.RemoteSelectors, out var remote, out _);
        return new EspSaSummary(
            proto.Spi,
            proto.Direction == V1.Direction.Inbound ? EspDirection.Inbound : EspDirection.Outbound,
            IPAddress.TryParse(proto.TunnelSource, out var s) ? s : IPAddress.None,
            IPAddress.TryParse(proto.TunnelDestination, out var d) ? d : IPAddress.None,
            proto.Encapsulation is { } e ? new UdpEncapsulation((ushort)e.SourcePort, (ushort)e.DestinationPort) : null,
            (EspEncryptionAlgorithm)Math.Max((int)proto.Encryption - 1, 0),
            (EspIntegrityAlgorithm)(int)proto.Integrity,
            (int)proto.ReplayWindow,
            proto.ExtendedSequenceNumbers,
            proto.Lifetime is { } l ? new EspLifetime(l.SoftBytes, l.HardBytes, l.SoftPackets, l.HardPackets) : EspLifetime.Unlimited,
            local,
            remote,
            (DontFragmentMode)(int)proto.DontFragment,
            (int)proto.Mtu)
        {
            SequenceNumber = proto.SequenceNumber,
            SoftExpired = proto.SoftExpired,
            HardExpired = proto.HardExpired,
            PathMtu = (PathMtuPolicy)(int)proto.PathMtu,
            ClampTcpMss = !proto.NoTcpMssClamp,
        };
    }

    public static V1.Policy ToProto(EspPolicy policy) => new()
    {
        Id = policy.Id,
        Direction = policy.Direction == PolicyDirection.Out ? V1.PolicyDirection.Out : V1.PolicyDirection.In,
        SourceStart = policy.Selector.Source.Start.ToString(),
        SourceEnd = policy.Selector.Source.End.ToString(),
        DestinationStart = policy.Selector.Destination.Start.ToString(),
        DestinationEnd = policy.Selector.Destination.End.ToString(),
        Protocol = policy.Selector.Protocol,
        SourcePortStart = policy.Selector.SourcePorts.Start,
        SourcePortEnd = policy.Selector.SourcePorts.End,
        DestinationPortStart = policy.Selector.DestinationPorts.Start,
        DestinationPortEnd = policy.Selector.DestinationPorts.End,
        Action = (V1.PolicyAction)(int)policy.Action,
        Spi = policy.Spi,
        Priority = policy.Priority,
    };

    /// <summary>Reads a policy from the wire; returns null and an error when a field is unusable.</summary>
    public static EspPolicy? TryFromProto(V1.Policy? proto, out string error)
    {
        error = string.Empty;
        if (proto is null)
        {
            error = "policy is required";
            return null;
        }

        if (proto.Direction is not (V1.PolicyDirection.Out or V1.PolicyDirection.In))
        {
            error = "policy direction must be OUT or IN";
            return null;
        }

        if (proto.Action is not (V1.PolicyAction.Protect or V1.PolicyAction.Bypass or V1.PolicyAction.Discard))
        {
            error = "policy action must be PROTECT, BYPASS or DISCARD";
            return null;
        }

        if (!TryRange(proto.SourceStart, proto.SourceEnd, out var source, out error) ||
            !TryRange(proto.DestinationStart, proto.DestinationEnd, out var destination, out error) ||
            !TryPorts(proto.SourcePortStart, proto.SourcePortEnd, out var sourcePorts, out error) ||
            !TryPorts(proto.DestinationPortStart, proto.DestinationPortEnd, out var destinationPorts, out error))
        {
            return null;
        }

        if (proto.Protocol > 255)
        {
            error = "protocol out of range";
            return null;
        }

        return new EspPolicy(
            proto.Id,
            proto.Direction == V1.PolicyDirection.Out ? PolicyDirection.Out : PolicyDirection.In,
            new EspPolicySelector(source, destination, (byte)proto.Protocol, sourcePorts, destinationPorts),
            (PolicyAction)(int)proto.Action,
            proto.Spi,
            proto.Priority);
    }

    public static V1.GetCountersReply ToProto(CounterSnapshot snapshot)
    {
        var reply = new V1.GetCountersReply { BypassPackets = snapshot.BypassPackets, HostPackets = snapshot.HostPackets, ReassembledPackets = snapshot.ReassembledPackets };
        reply.GlobalDrops.Add(ToProto(snapshot.GlobalDrops));
        foreach (var sa in snapshot.Sas)
        {
            var counters = new V1.SaCounters { Spi = sa.Spi, Direction = ToProto(sa.Direction), Bytes = sa.Bytes, Packets = sa.Packets, Fragments = sa.Fragments, IcmpErrors = sa.IcmpErrors };
            counters.Drops.Add(ToProto(sa.Drops));
            reply.Sas.Add(counters);
        }

        return reply;
    }

    public static CounterSnapshot FromProto(V1.GetCountersReply reply) =>
        new(
            reply.Sas.Select(s => new SaCounters(s.Spi, s.Direction == V1.Direction.Inbound ? EspDirection.Inbound : EspDirection.Outbound, s.Bytes, s.Packets, FromProto(s.Drops))
            {
                Fragments = s.Fragments,
                IcmpErrors = s.IcmpErrors,
            }).ToArray(),
            FromProto(reply.GlobalDrops))
        {
            BypassPackets = reply.BypassPackets,
            HostPackets = reply.HostPackets,
            ReassembledPackets = reply.ReassembledPackets,
        };

    public static V1.Event ToProto(DataplaneEvent dataplaneEvent)
    {
        var proto = new V1.Event { UnixTimeMs = dataplaneEvent.Time.ToUnixTimeMilliseconds() };
        switch (dataplaneEvent)
        {
            case SoftExpireEvent soft:
                proto.SoftExpire = new V1.ExpireEvent { Spi = soft.Spi, Direction = ToProto(soft.Direction), Kind = (V1.LifetimeKind)(int)soft.Kind };
                break;
            case HardExpireEvent hard:
                proto.HardExpire = new V1.ExpireEvent { Spi = hard.Spi, Direction = ToProto(hard.Direction), Kind = (V1.LifetimeKind)(int)hard.Kind };
                break;
            case AcquireEvent acquire:
                proto.Acquire = new V1.AcquireEvent
                {
                    PolicyId = acquire.PolicyId,
                    Source = acquire.Flow.Source.ToString(),
                    Destination = acquire.Flow.Destination.ToString(),
                    Protocol = acquire.Flow.Protocol,
                    SourcePort = acquire.Flow.SourcePort,
                    DestinationPort = acquire.Flow.DestinationPort,
                };
                break;
        }

        return proto;
    }

    /// <summary>The model event of a wire event, or null for a kind this client does not know.</summary>
    public static DataplaneEvent? FromProto(V1.Event proto)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(proto.UnixTimeMs);
        return proto.KindCase switch
        {
            V1.Event.KindOneofCase.SoftExpire => new SoftExpireEvent(time, proto.SoftExpire.Spi, FromProto(proto.SoftExpire.Direction), (LifetimeKind)(int)proto.SoftExpire.Kind),
            V1.Event.KindOneofCase.HardExpire => new HardExpireEvent(time, proto.HardExpire.Spi, FromProto(proto.HardExpire.Direction), (LifetimeKind)(int)proto.HardExpire.Kind),
            V1.Event.KindOneofCase.Acquire => new AcquireEvent(
                time,
                proto.Acquire.PolicyId,
                new PacketFlow(
                    IPAddress.TryParse(proto.Acquire.Source, out var s) ? s : IPAddress.None,
                    IPAddress.TryParse(proto.Acquire.Destination, out var d) ? d : IPAddress.None,
                    (byte)proto.Acquire.Protocol,
                    (ushort)proto.Acquire.SourcePort,
                    (ushort)proto.Acquire.DestinationPort)),
            _ => null,
        };
    }

    public static V1.Direction ToProto(EspDirection direction) =>
        direction == EspDirection.Inbound ? V1.Direction.Inbound : V1.Direction.Outbound;

    public static EspDirection FromProto(V1.Direction direction) =>
        direction == V1.Direction.Inbound ? EspDirection.Inbound : EspDirection.Outbound;

    public static bool TryDirection(V1.Direction direction, out EspDirection result)
    {
        result = FromProto(direction);
        return direction is V1.Direction.Inbound or V1.Direction.Outbound;
    }

    private static V1.UdpEncapsulation? ToProto(UdpEncapsulation? encapsulation) =>
        encapsulation is null ? null : new V1.UdpEncapsulation { SourcePort = encapsulation.SourcePort, DestinationPort = encapsulation.DestinationPort };

    private static V1.Lifetime ToProto(EspLifetime lifetime) => new()
    {
        SoftBytes = lifetime.SoftBytes,
        HardBytes = lifetime.HardBytes,
        SoftPackets = lifetime.SoftPackets,
        HardPackets = lifetime.HardPackets,
    };

    private static V1.TrafficSelector ToProto(EspTrafficSelector selector) => new()
    {
        StartAddress = selector.Addresses.Start.ToString(),
        EndAddress = selector.Addresses.End.ToString(),
        Protocol = selector.Protocol,
        StartPort = selector.Ports.Start,
        EndPort = selector.Ports.End,
    };

    private static IEnumerable<V1.DropCount> ToProto(DropCounts drops) =>
        drops.NonZero().Select(kv => new V1.DropCount { Reason = (uint)kv.Key, Name = kv.Key.ToString(), Count = kv.Value });

    private static DropCounts FromProto(IEnumerable<V1.DropCount> drops)
    {
        var counts = new ulong[DropReasons.Count];
        foreach (var drop in drops)
        {
            if (drop.Reason < counts.Length)
            {
                counts[drop.Reason] = drop.Count;
            }
        }

        return new DropCounts(counts);
    }

    private static bool TrySelectors(IEnumerable<V1.TrafficSelector> selectors, out IReadOnlyList<EspTrafficSelector> result, out string error)
    {
        var list = new List<EspTrafficSelector>();
        result = list;
        error = string.Empty;
        foreach (var s in selectors)
        {
            if (!TryRange(s.StartAddress, s.EndAddress, out var range, out error) || !TryPorts(s.StartPort, s.EndPort, out var ports, out error))
            {
                return false;
            }

            if (s.Protocol > 255)
            {
                error = "selector protocol out of range";
                return false;
            }

            list.Add(new EspTrafficSelector(range, (byte)s.Protocol, ports));
        }

        return true;
    }

    private static bool TryRange(string start, string end, out IpAddressRange range, out string error)
    {
        range = IpAddressRange.AnyIPv4;
        error = string.Empty;
        if (!IPAddress.TryParse(start, out var a) || !IPAddress.TryParse(end, out var b) || a.AddressFamily != b.AddressFamily ||
            IpAddressRange.ToUInt128(a) > IpAddressRange.ToUInt128(b))
        {
            error = $"address range '{start}'-'{end}' is not a range of one family";
            return false;
        }

        range = new IpAddressRange(a, b);
        return true;
    }

    private static bool TryPorts(uint start, uint end, out PortRange ports, out string error)
    {
        ports = PortRange.Any;
        error = string.Empty;
        if (start == 0 && end == 0)
        {
            return true;
        }

        if (start > end || end > 65535)
        {
            error = $"port range {start}-{end} is invalid";
            return false;
        }

        ports = new PortRange((ushort)start, (ushort)end);
        return true;
    }
}
