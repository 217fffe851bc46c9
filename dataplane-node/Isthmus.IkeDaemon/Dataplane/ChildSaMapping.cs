using System.Net;
using Isthmus.Esp;
using Isthmus.Ike.Config;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.IkeDaemon.Dataplane;

/// <summary>
/// What a negotiated Child SA becomes in the dataplane, as XFRM would have it: an inbound and an
/// outbound ESP SA (tunnel mode between the IKE endpoints, UDP-encapsulated when a NAT was found)
/// and a pair of Protect policies built from the narrowed traffic selectors.
/// </summary>
public static class ChildSaMapping
{
    /// <summary>Policies of a tunnel keep their ids across rekeys; only the SPI they point to changes.</summary>
    public const uint PolicyPriority = 100;

    public sealed record DataplaneState(EspSa Inbound, EspSa Outbound, IReadOnlyList<EspPolicy> Policies);

    /// <summary>Maps <paramref name="child"/>; returns null with a reason when the dataplane has no such transform.</summary>
    public static DataplaneState? Map(IkeSa sa, ChildSa child, TunnelConfig config, out string? unsupported)
    {
        unsupported = null;
        var p = child.Proposal;
        EspEncryptionAlgorithm? encryption = (p.Encryption, p.EncryptionKeyLength) switch
        {
            (EncryptionAlgorithm.AesGcm16, 128) => EspEncryptionAlgorithm.AesGcm16_128,
            (EncryptionAlgorithm.AesGcm16, 192) => EspEncryptionAlgorithm.AesGcm16_192,
            (EncryptionAlgorithm.AesGcm16, 256) => EspEncryptionAlgorithm.AesGcm16_256,
            (EncryptionAlgorithm.AesCbc, 128) => EspEncryptionAlgorithm.AesCbc128,
            (EncryptionAlgorithm.AesCbc, 192) => EspEncryptionAlgorithm.AesCbc192,
            (EncryptionAlgorithm.AesCbc, 256) => EspEncryptionAlgorithm.AesCbc256,
            (EncryptionAlgorithm.AesCtr, 128) => EspEncryptionAlgorithm.AesCtr128,
            (EncryptionAlgorithm.AesCtr, 192) => EspEncryptionAlgorithm.AesCtr192,
            (EncryptionAlgorithm.AesCtr, 256) => EspEncryptionAlgorithm.AesCtr256,
            (EncryptionAlgorithm.ChaCha20Poly1305, _) => EspEncryptionAlgorithm.ChaCha20Poly1305,
            (EncryptionAlgorithm.NullAuthAesGmac, 128) => EspEncryptionAlgorithm.AesGmac128,
            (EncryptionAlgorithm.NullAuthAesGmac, 192) => EspEncryptionAlgorithm.AesGmac192,
            (EncryptionAlgorithm.NullAuthAesGmac, 256) => EspEncryptionAlgorithm.AesGmac256,
            _ => null,
        };
        EspIntegrityAlgorithm? integrity = p.Integrity switch
        {
            IntegrityAlgorithm.None => EspIntegrityAlgorithm.None,
            IntegrityAlgorithm.HmacSha1_96 => EspIntegrityAlgorithm.HmacSha1_96,
            IntegrityAlgorithm.HmacSha2_256_128 => EspIntegrityAlgorithm.HmacSha2_256_128,
            IntegrityAlgorithm.HmacSha2_384_192 => EspIntegrityAlgorithm.HmacSha2_384_192,
            IntegrityAlgorithm.HmacSha2_512_256 => EspIntegrityAlgorithm.HmacSha2_512_256,
            _ => null,
        };
        if (encryption is null || integrity is null)
        {
            unsupported = $"the dataplane has no ESP transform for {ProposalFormatter.Format(p.ToProposal([]))}";
            return null;
        }

        var local = Unmapped(sa.LocalEndpoint.Address);
        var remote = Unmapped(sa.RemoteEndpoint.Address);
        var encapsulation = child.UdpEncapsulation
            ? new UdpEncapsulation((ushort)sa.LocalEndpoint.Port, (ushort)sa.RemoteEndpoint.Port)
            : null;
        var localTs = child.LocalTs.Select(ToEsp).ToList();
        var remoteTs = child.RemoteTs.Select(ToEsp).ToList();
        var lifetime = new EspLifetime(config.ChildRekeyBytes, config.ChildLifeBytes, config.ChildRekeyPackets, config.ChildLifePackets);

        EspSa Sa(uint spi, EspDirection direction, IPAddress source, IPAddress destination, byte[] encKey, byte[] integKey,
            UdpEncapsulation? encap) => new()
        {
            Spi = spi,
            Direction = direction,
            TunnelSource = source,
            TunnelDestination = destination,
            Encapsulation = encap,
            Encryption = encryption.Value,
            EncryptionKey = encKey,
            Integrity = integrity.Value,
            IntegrityKey = integKey,
            ReplayWindow = direction == EspDirection.Inbound ? (int)config.ReplayWindow : 0,
            ExtendedSequenceNumbers = p.Esn == EsnMode.Esn,
            Lifetime = lifetime,
            LocalSelectors = localTs,
            RemoteSelectors = remoteTs,
        };

        var inbound = Sa(child.SpiIn, EspDirection.Inbound, remote, local, child.InboundEncryptionKey, child.InboundIntegrityKey,
            encapsulation is null ? null : new UdpEncapsulation(encapsulation.DestinationPort, encapsulation.SourcePort));
        var outbound = Sa(child.SpiOut, EspDirection.Outbound, local, remote, child.OutboundEncryptionKey, child.OutboundIntegrityKey,
            encapsulation);

        var policies = new List<EspPolicy>();
        var index = 0;
        foreach (var l in child.LocalTs)
        {
            foreach (var r in child.RemoteTs)
            {
                if (l.TsType != r.TsType) continue;
                var proto = l.IpProtocol != 0 ? l.IpProtocol : r.IpProtocol;
                var outSel = new EspPolicySelector(Range(l), Range(r), proto, new PortRange(l.StartPort, l.EndPort), new PortRange(r.StartPort, r.EndPort));
                var inSel = new EspPolicySelector(Range(r), Range(l), proto, new PortRange(r.StartPort, r.EndPort), new PortRange(l.StartPort, l.EndPort));
                policies.Add(new EspPolicy(PolicyId(config.Name, child.Name, PolicyDirection.Out, index), PolicyDirection.Out, outSel,
                    PolicyAction.Protect, child.SpiOut, PolicyPriority));
                policies.Add(new EspPolicy(PolicyId(config.Name, child.Name, PolicyDirection.In, index), PolicyDirection.In, inSel,
                    PolicyAction.Protect, child.SpiIn, PolicyPriority));
                index++;
            }
        }
        return new DataplaneState(inbound, outbound, policies);
    }

    /// <summary>A stable, non-zero id per tunnel, Child SA name, direction and selector pair (FNV-1a).</summary>
    public static uint PolicyId(string tunnel, string child, PolicyDirection direction, int index)
    {
        var h = 2166136261u;
        foreach (var c in $"{tunnel}\0{child}\0{direction}\0{index}") h = (h ^ c) * 16777619u;
        return h == 0 ? 1 : h;
    }

    private static IpAddressRange Range(TrafficSelector ts) => new(ts.StartAddress, ts.EndAddress);

    private static EspTrafficSelector ToEsp(TrafficSelector ts) => new(Range(ts), ts.IpProtocol, new PortRange(ts.StartPort, ts.EndPort));

    private static IPAddress Unmapped(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
