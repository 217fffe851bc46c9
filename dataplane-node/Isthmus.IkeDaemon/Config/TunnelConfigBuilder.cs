using System.Net;
using System.Net.Sockets;
using System.Text;
using Isthmus.Api;
using Isthmus.Api.Manifests;
using Isthmus.Api.V1Alpha1;
using Isthmus.Ike.Config;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.IkeDaemon.Config;

/// <summary>
/// Turns the IpsecTunnels of a <see cref="ManifestSet"/> into <see cref="TunnelConfig"/>s: resolves
/// TrafficSelector references and PSK Secrets in the tunnel's namespace, parses proposals, durations,
/// identities and selectors, and applies the defaults. A tunnel with any error is left out and each error
/// reported as <c>IpsecTunnel ns/name: field: reason</c>; the other tunnels still load. Errors never
/// contain key material.
/// </summary>
public static class TunnelConfigBuilder
{
    public static IReadOnlyList<TunnelConfig> Build(ManifestSet set, out IReadOnlyList<string> errors) =>
        Build(set, CryptoPolicy.AllowAll, out errors);

    /// <summary>As <see cref="Build(ManifestSet, out IReadOnlyList{string})"/>, refusing proposals that <paramref name="policy"/> forbids.</summary>
    public static IReadOnlyList<TunnelConfig> Build(ManifestSet set, CryptoPolicy policy, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(policy);
        var configs = new List<TunnelConfig>();
        var allErrors = new List<string>();
        foreach (var tunnel in set.Tunnels)
        {
            var context = new TunnelContext(tunnel, set, policy);
            var config = context.Build();
            if (context.Errors.Count == 0 && config is not null)
            {
                configs.Add(config);
            }
            else
            {
                allErrors.AddRange(context.Errors);
            }
        }
        errors = allErrors;
        return configs;
    }

    /// <summary>
    /// Checks <paramref name="tunnel"/> on its own, as an admission webhook sees it: every field of its spec with
    /// the same rules and messages as <see cref="Build"/>, but without resolving what it names (TrafficSelectors,
    /// the PSK Secret), which may not exist yet. Errors read <c>field: reason</c>; warnings name weak algorithms.
    /// </summary>
    public static IReadOnlyList<string> ValidateSpec(V1Alpha1IpsecTunnel tunnel, CryptoPolicy policy, out IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        ArgumentNullException.ThrowIfNull(policy);
        var context = new TunnelContext(tunnel, new ManifestSet([tunnel], [], []), policy, resolveReferences: false);
        context.Build();
        warnings = context.Warnings;
        return context.Errors.Select(context.WithoutTunnelPrefix).ToList();
    }

    /// <summary>
    /// Checks a TrafficSelector on its own with the rules <see cref="Build"/> applies to each of its entries.
    /// Errors read <c>spec.local[0].addrEnd: reason</c>.
    /// </summary>
    public static IReadOnlyList<string> ValidateTrafficSelector(V1Alpha1TrafficSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var context = new TunnelContext(new V1Alpha1IpsecTunnel { Metadata = selector.Metadata }, new ManifestSet([], [selector], []), CryptoPolicy.AllowAll, resolveReferences: false);
        context.ValidateEntries(selector.Spec?.Local, "spec.local");
        context.ValidateEntries(selector.Spec?.Remote, "spec.remote");
        if ((selector.Spec?.Local?.Count ?? 0) == 0 && (selector.Spec?.Remote?.Count ?? 0) == 0)
        {
            context.Errors.Add(context.Prefix + "spec: needs at least one local or remote entry");
        }
        return context.Errors.Select(context.WithoutTunnelPrefix).ToList();
    }

    private sealed class TunnelContext(V1Alpha1IpsecTunnel tunnel, ManifestSet set, CryptoPolicy policy, bool resolveReferences = true)
    {
        private readonly string _namespace = tunnel.Metadata.Namespace ?? ManifestLoader.DefaultNamespace;
        private readonly string _name = tunnel.Metadata.Name ?? "";

        public List<string> Errors { get; } = [];

        public List<string> Warnings { get; } = [];

        private string FullName => $"{_namespace}/{_name}";

        public string Prefix => $"IpsecTunnel {FullName}: ";

        public string WithoutTunnelPrefix(string error) => error.StartsWith(Prefix, StringComparison.Ordinal) ? error[Prefix.Length..] : error;

        private void Error(string field, string reason) => Errors.Add($"{Prefix}{field}: {reason}");

        public void ValidateEntries(List<V1Alpha1TrafficSelectorEntry>? entries, string field) => AddEntries(entries, field, []);

        public TunnelConfig? Build()
        {
            var spec = tunnel.Spec ?? new V1Alpha1IpsecTunnelSpec();
            var warnings = Warnings;

            var startAction = spec.StartAction switch
            {
                V1Alpha1StartAction.Initiate => StartAction.Initiate,
                V1Alpha1StartAction.Respond => StartAction.Respond,
                _ => (StartAction?)null,
            };
            if (startAction is null)
            {
                Error("spec.startAction", $"{spec.StartAction} is not supported yet (it needs the dataplane's acquire events); use Initiate or Respond");
            }

            // Local end.
            var local = spec.Local ?? new V1Alpha1LocalEndpoint();
            IPAddress? localAddress = null;
            if (!string.IsNullOrWhiteSpace(local.Address) && !AddressText.TryParseAddress(local.Address.Trim(), out localAddress))
            {
                Error("spec.local.address", $"'{local.Address}' is not an IPv4 or IPv6 address");
            }
            IkeIdentity? localId = null;
            if (local.Id is not null)
            {
                localId = ParseIdentity(local.Id, "spec.local.id");
            }
            else if (localAddress is not null)
            {
                localId = IkeIdentity.FromAddress(localAddress);
            }
            else if (string.IsNullOrWhiteSpace(local.Address))
            {
                Error("spec.local.id", "required when spec.local.address is not set");
            }

            // Peer.
            var peer = spec.Peer ?? new V1Alpha1PeerEndpoint();
            var peerHost = peer.Address?.Trim() ?? "";
            IPAddress? peerAddress = null;
            if (peerHost.Length == 0)
            {
                Error("spec.peer.address", "required");
            }
            else if (!AddressText.TryParseAddress(peerHost, out peerAddress) && !IsHostName(peerHost))
            {
                Error("spec.peer.address", $"'{peerHost}' is neither an IP address nor a DNS name");
            }
            if (peer.Port is < 1 or > 65535)
            {
                Error("spec.peer.port", $"{peer.Port} is not a UDP port (1-65535)");
            }
            IkeIdentity? peerId = peer.Id is null ? null : ParseIdentity(peer.Id, "spec.peer.id");
            if (peerAddress is not null && localAddress is not null && peerAddress.AddressFamily != localAddress.AddressFamily)
            {
                Error("spec.local.address", $"address family of '{localAddress}' differs from the peer's '{peerAddress}'");
            }

            // Authentication.
            var psk = ResolvePsk(spec.Authentication ?? new V1Alpha1Authentication());

            // IKE SA.
            var ike = spec.Ike ?? new V1Alpha1IkeSaSpec();
            var ikeProposals = ParseProposals(ike.Proposals, TunnelDefaults.IkeProposals, ProtocolId.Ike, "spec.ike.proposals", warnings);
            var ikeRekey = ParseDuration(ike.RekeyTime, "spec.ike.rekeyTime", TunnelDefaults.IkeRekeyTime, positive: true);
            var ikeLifetime = ParseDuration(ike.Lifetime, "spec.ike.lifetime", TunnelDefaults.LifetimeFor(ikeRekey), positive: true);
            if (ike.Lifetime is not null && ikeLifetime <= ikeRekey)
            {
                Error("spec.ike.lifetime", $"{Duration.Format(ikeLifetime)} must be longer than rekeyTime {Duration.Format(ikeRekey)}");
            }
            var dpd = ParseDuration(ike.DpdDelay, "spec.ike.dpdDelay", TunnelDefaults.DpdDelay, positive: false);
            var nat = ike.NatTraversal switch
            {
                V1Alpha1NatTraversal.Force => NatTraversalMode.Force,
                V1Alpha1NatTraversal.Disabled => NatTraversalMode.Disabled,
                _ => NatTraversalMode.Auto,
            };

            // Child SA.
            var child = spec.Child ?? new V1Alpha1ChildSaSpec();
            var espProposals = ParseProposals(child.Proposals, TunnelDefaults.EspProposals, ProtocolId.Esp, "spec.child.proposals", warnings);
            var childRekey = ParseDuration(child.RekeyTime, "spec.child.rekeyTime", TunnelDefaults.ChildRekeyTime, positive: true);
            var childLifetime = ParseDuration(child.Lifetime, "spec.child.lifetime", TunnelDefaults.LifetimeFor(childRekey), positive: true);
            if (child.Lifetime is not null && childLifetime <= childRekey)
            {
                Error("spec.child.lifetime", $"{Duration.Format(childLifetime)} must be longer than rekeyTime {Duration.Format(childRekey)}");
            }
            var rekeyBytes = Limit(child.RekeyBytes, "spec.child.rekeyBytes");
            var lifeBytes = Limit(child.LifeBytes, "spec.child.lifeBytes");
            if (rekeyBytes > 0 && lifeBytes > 0 && lifeBytes <= rekeyBytes)
            {
                Error("spec.child.lifeBytes", $"{lifeBytes} must be larger than rekeyBytes {rekeyBytes}");
            }
            var rekeyPackets = Limit(child.RekeyPackets, "spec.child.rekeyPackets");
            var lifePackets = Limit(child.LifePackets, "spec.child.lifePackets");
            if (rekeyPackets > 0 && lifePackets > 0 && lifePackets <= rekeyPackets)
            {
                Error("spec.child.lifePackets", $"{lifePackets} must be larger than rekeyPackets {rekeyPackets}");
            }
            var replayWindow = TunnelDefaults.ReplayWindow;
            if (child.ReplayWindow is { } window)
            {
                if (window is < 0 or > 65536)
                {
                    Error("spec.child.replayWindow", $"{window} is out of range (0-65536)");
                }
                else
                {
                    replayWindow = (uint)window;
                }
            }
            var childName = string.IsNullOrWhiteSpace(child.Name) ? _name : child.Name.Trim();

            // Traffic selectors.
            var (localTs, remoteTs) = ResolveSelectors(spec.TrafficSelectors ?? new V1Alpha1TunnelTrafficSelectors());

            if (Errors.Count > 0 || localId is null || psk is null || startAction is null)
            {
                return null;
            }
            return new TunnelConfig
            {
                Name = FullName,
                LocalAddress = localAddress,
                PeerHost = peerHost,
                PeerPort = peer.Port,
                PeerAddress = peerAddress,
                LocalId = localId,
                PeerId = peerId,
                Psk = psk,
                IkeProposals = ikeProposals,
                EspProposals = espProposals,
                LocalTs = localTs,
                RemoteTs = remoteTs,
                StartAction = startAction.Value,
                IkeRekeyTime = ikeRekey,
                IkeLifetime = ikeLifetime,
                ChildRekeyTime = childRekey,
                ChildLifetime = childLifetime,
                ChildRekeyBytes = rekeyBytes,
                ChildLifeBytes = lifeBytes,
                ChildRekeyPackets = rekeyPackets,
                ChildLifePackets = lifePackets,
                DpdDelay = dpd,
                NatTraversal = nat,
                Fragmentation = ike.Fragmentation,
                ChildName = childName,
                ReplayWindow = replayWindow,
                Warnings = warnings,
            };
        }

        private IkeIdentity? ParseIdentity(V1Alpha1IkeIdentity id, string field)
        {
            var type = id.Type switch
            {
                V1Alpha1IkeIdentityType.IPv4 => IdType.Ipv4Addr,
                V1Alpha1IkeIdentityType.IPv6 => IdType.Ipv6Addr,
                V1Alpha1IkeIdentityType.Fqdn => IdType.Fqdn,
                V1Alpha1IkeIdentityType.UserFqdn => IdType.Rfc822Addr,
                V1Alpha1IkeIdentityType.KeyId => IdType.KeyId,
                _ => IdType.DerAsn1Dn,
            };
            if (IkeIdentity.TryParse(type, id.Value, out var identity, out var error))
            {
                return identity;
            }
            Error($"{field}.value", error);
            return null;
        }

        private byte[]? ResolvePsk(V1Alpha1Authentication authentication)
        {
            if (authentication.Method != V1Alpha1AuthenticationMethod.Psk)
            {
                Error("spec.authentication.method", $"{authentication.Method} is not supported");
                return null;
            }
            var secretRef = authentication.Psk?.SecretRef;
            if (secretRef is null || string.IsNullOrWhiteSpace(secretRef.Name))
            {
                Error("spec.authentication.psk.secretRef.name", "required for method Psk");
                return null;
            }
            var key = string.IsNullOrEmpty(secretRef.Key) ? "psk" : secretRef.Key;
            if (!resolveReferences)
            {
                return null;
            }
            if (!set.TryGetSecret(_namespace, secretRef.Name, out var secret))
            {
                Error("spec.authentication.psk.secretRef.name", $"Secret {_namespace}/{secretRef.Name} not found");
                return null;
            }
            byte[]? psk = null;
            if (secret.StringData is not null && secret.StringData.TryGetValue(key, out var text))
            {
                psk = Encoding.UTF8.GetBytes(text);
            }
            else if (secret.Data is not null && secret.Data.TryGetValue(key, out var base64))
            {
                try
                {
                    psk = Convert.FromBase64String(base64);
                }
                catch (FormatException)
                {
                    Error("spec.authentication.psk.secretRef.key", $"Secret {_namespace}/{secretRef.Name} key '{key}' is not valid base64");
                    return null;
                }
            }
            if (psk is null)
            {
                Error("spec.authentication.psk.secretRef.key", $"Secret {_namespace}/{secretRef.Name} has no key '{key}'");
                return null;
            }
            if (psk.Length == 0)
            {
                Error("spec.authentication.psk.secretRef.key", $"Secret {_namespace}/{secretRef.Name} key '{key}' is empty");
                return null;
            }
            return psk;
        }

        private List<Proposal> ParseProposals(List<string>? configured, IReadOnlyList<string> defaults, ProtocolId protocol, string field, List<string> warnings)
        {
            var list = configured is { Count: > 0 } ? configured : defaults;
            var proposals = new List<Proposal>();
            for (var i = 0; i < list.Count; i++)
            {
                if (!ProposalParser.TryParse(list[i] ?? "", protocol, out var proposal, out var error))
                {
                    Error($"{field}[{i}]", error);
                    continue;
                }
                var forbidden = policy.Violations(proposal);
                if (forbidden.Count > 0)
                {
                    Error($"{field}[{i}]", $"'{list[i].Trim()}' uses algorithms the crypto policy of this cluster forbids: {string.Join(", ", forbidden)}");
                    continue;
                }
                var weak = WeakAlgorithms.Find(proposal);
                if (weak.Count > 0)
                {
                    warnings.Add($"{field}[{i}] '{list[i].Trim()}' uses weak algorithms: {string.Join(", ", weak)}");
                }
                proposals.Add(proposal with { Number = (byte)Math.Min(proposals.Count + 1, byte.MaxValue) });
            }
            if (list.Count > 255)
            {
                Error(field, "at most 255 proposals are allowed (RFC 7296 section 3.3.1)");
            }
            return proposals;
        }

        private TimeSpan ParseDuration(string? text, string field, TimeSpan fallback, bool positive)
        {
            if (text is null)
            {
                return fallback;
            }
            if (!Duration.TryParse(text, out var value, out var error))
            {
                Error(field, error);
                return fallback;
            }
            if (positive && value <= TimeSpan.Zero)
            {
                Error(field, "must be greater than zero");
                return fallback;
            }
            return value;
        }

        private ulong Limit(long? value, string field)
        {
            if (value is null)
            {
                return 0;
            }
            if (value < 0)
            {
                Error(field, $"{value} must not be negative");
                return 0;
            }
            return (ulong)value.Value;
        }

        private (List<TrafficSelector> Local, List<TrafficSelector> Remote) ResolveSelectors(V1Alpha1TunnelTrafficSelectors selectors)
        {
            var local = new List<TrafficSelector>();
            var remote = new List<TrafficSelector>();
            var refs = selectors.Refs ?? [];
            for (var i = 0; i < refs.Count; i++)
            {
                var name = refs[i];
                if (string.IsNullOrWhiteSpace(name))
                {
                    Error($"spec.trafficSelectors.refs[{i}]", "empty name");
                    continue;
                }
                if (!resolveReferences)
                {
                    continue;
                }
                if (!set.TryGetTrafficSelector(_namespace, name, out var resource))
                {
                    Error($"spec.trafficSelectors.refs[{i}]", $"TrafficSelector {_namespace}/{name} not found");
                    continue;
                }
                var where = $"TrafficSelector {_namespace}/{name} spec";
                AddEntries(resource.Spec?.Local, $"{where}.local", local);
                AddEntries(resource.Spec?.Remote, $"{where}.remote", remote);
            }
            if (selectors.Inline is { } inline)
            {
                AddEntries(inline.Local, "spec.trafficSelectors.inline.local", local);
                AddEntries(inline.Remote, "spec.trafficSelectors.inline.remote", remote);
            }
            if (Errors.Count == 0 && (resolveReferences || refs.Count == 0))
            {
                if (local.Count == 0)
                {
                    Error("spec.trafficSelectors", "no local traffic selector (set refs or inline.local)");
                }
                if (remote.Count == 0)
                {
                    Error("spec.trafficSelectors", "no remote traffic selector (set refs or inline.remote)");
                }
            }
            return (Distinct(local), Distinct(remote));
        }

        private static List<TrafficSelector> Distinct(List<TrafficSelector> selectors)
        {
            var result = new List<TrafficSelector>();
            foreach (var ts in selectors)
            {
                if (!result.Any(r => r.TsType == ts.TsType && r.IpProtocol == ts.IpProtocol && r.StartPort == ts.StartPort && r.EndPort == ts.EndPort && r.StartAddress.Equals(ts.StartAddress) && r.EndAddress.Equals(ts.EndAddress)))
                {
                    result.Add(ts);
                }
            }
            return result;
        }

        private void AddEntries(List<V1Alpha1TrafficSelectorEntry>? entries, string field, List<TrafficSelector> into)
        {
            if (entries is null)
            {
                return;
            }
            for (var i = 0; i < entries.Count; i++)
            {
                if (ToSelector(entries[i], $"{field}[{i}]") is { } ts)
                {
                    into.Add(ts);
                }
            }
        }

        private TrafficSelector? ToSelector(V1Alpha1TrafficSelectorEntry? entry, string field)
        {
            if (entry is null)
            {
                Error(field, "empty entry");
                return null;
            }
            IPAddress? start, end;
            var hasRange = entry.AddrStart is not null || entry.AddrEnd is not null;
            if (entry.Cidr is not null && hasRange)
            {
                Error(field, "set either cidr or addrStart/addrEnd, not both");
                return null;
            }
            if (entry.Cidr is not null)
            {
                if (!AddressText.TryParseCidr(entry.Cidr.Trim(), out start, out end, out var error))
                {
                    Error($"{field}.cidr", error);
                    return null;
                }
            }
            else if (hasRange)
            {
                if (!AddressText.TryParseAddress(entry.AddrStart?.Trim(), out start))
                {
                    Error($"{field}.addrStart", entry.AddrStart is null ? "required with addrEnd" : $"'{entry.AddrStart}' is not an IPv4 or IPv6 address");
                    return null;
                }
                if (!AddressText.TryParseAddress(entry.AddrEnd?.Trim(), out end))
                {
                    Error($"{field}.addrEnd", entry.AddrEnd is null ? "required with addrStart" : $"'{entry.AddrEnd}' is not an IPv4 or IPv6 address");
                    return null;
                }
                if (start.AddressFamily != end.AddressFamily)
                {
                    Error($"{field}.addrEnd", $"'{end}' is not of the same address family as addrStart '{start}'");
                    return null;
                }
                if (AddressText.Compare(start, end) > 0)
                {
                    Error($"{field}.addrEnd", $"'{end}' is below addrStart '{start}'");
                    return null;
                }
            }
            else
            {
                Error(field, "needs cidr or addrStart/addrEnd");
                return null;
            }

            if (!TryParseProtocol(entry.Protocol, out var protocol))
            {
                Error($"{field}.protocol", $"'{entry.Protocol}' is not a protocol number (0-255) or one of any, tcp, udp, icmp, icmpv6, sctp, gre");
                return null;
            }
            ushort startPort = 0, endPort = ushort.MaxValue;
            if (entry.Ports is { } ports)
            {
                if (protocol == 0)
                {
                    Error($"{field}.ports", "ports need a protocol (RFC 7296 section 3.13.1: with protocol any the port range must be all ports)");
                    return null;
                }
                if (ports.Start is not { } s || s is < 0 or > 65535)
                {
                    Error($"{field}.ports.start", ports.Start is null ? "required" : $"{ports.Start} is not a port (0-65535)");
                    return null;
                }
                var e = ports.End ?? s;
                if (e is < 0 or > 65535 || e < s)
                {
                    Error($"{field}.ports.end", $"{e} is not a port from start {s} to 65535");
                    return null;
                }
                startPort = (ushort)s;
                endPort = (ushort)e;
            }
            var tsType = start.AddressFamily == AddressFamily.InterNetworkV6 ? TsType.Ipv6AddrRange : TsType.Ipv4AddrRange;
            return new TrafficSelector(tsType, protocol, startPort, endPort, start, end);
        }

        private static bool TryParseProtocol(string? text, out byte protocol)
        {
            protocol = 0;
            if (string.IsNullOrWhiteSpace(text))
            {
                return true;
            }
            switch (text.Trim().ToLowerInvariant())
            {
                case "any": protocol = 0; return true;
                case "icmp": protocol = 1; return true;
                case "tcp": protocol = 6; return true;
                case "udp": protocol = 17; return true;
                case "gre": protocol = 47; return true;
                case "icmpv6" or "ipv6-icmp": protocol = 58; return true;
                case "sctp": protocol = 132; return true;
            }
            return byte.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out protocol);
        }

        private static bool IsHostName(string host)
        {
            if (host.Length > 253)
            {
                return false;
            }
            var labels = host.TrimEnd('.').Split('.');
            return labels.All(l => l.Length is > 0 and <= 63 && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && l[0] != '-' && l[^1] != '-')
                && !labels[^1].All(char.IsAsciiDigit);
        }
    }
}
