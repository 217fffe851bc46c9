namespace Isthmus.Testing.Network;

/// <summary>
/// One IKE SA as strongSwan reports it (<c>swanctl --list-sas</c>, vici <c>list-sa</c> event). Names follow the
/// vici keys; algorithm names are strongSwan's (<c>AES_GCM_16</c>, <c>PRF_HMAC_SHA2_384</c>, <c>ECP_384</c>).
/// </summary>
public sealed record SwanIkeSa
{
    /// <summary>Connection name (the section name in swanctl.conf).</summary>
    public required string Name { get; init; }

    /// <summary>charon's unique id of this IKE SA (the N in <c>name[N]</c> in the log).</summary>
    public required int UniqueId { get; init; }

    /// <summary>IKE version (2).</summary>
    public int Version { get; init; }

    /// <summary>CREATED, CONNECTING, ESTABLISHED, PASSIVE, REKEYING, REKEYED, DELETING, DESTROYING.</summary>
    public required string State { get; init; }

    /// <summary>Local IP address.</summary>
    public string? LocalHost { get; init; }

    /// <summary>Local UDP port (4500 after the NAT-T float).</summary>
    public int? LocalPort { get; init; }

    /// <summary>Local identity as text.</summary>
    public string? LocalId { get; init; }

    /// <summary>Remote IP address.</summary>
    public string? RemoteHost { get; init; }

    /// <summary>Remote UDP port.</summary>
    public int? RemotePort { get; init; }

    /// <summary>Remote identity as text.</summary>
    public string? RemoteId { get; init; }

    /// <summary>True when this side initiated the IKE SA.</summary>
    public bool Initiator { get; init; }

    /// <summary>IKE SA initiator's SPI, 16 lowercase hex digits.</summary>
    public string? SpiI { get; init; }

    /// <summary>IKE SA responder's SPI, 16 lowercase hex digits.</summary>
    public string? SpiR { get; init; }

    /// <summary>This host is behind NAT (its NAT_DETECTION_DESTINATION_IP did not match).</summary>
    public bool NatLocal { get; init; }

    /// <summary>The peer is behind NAT. With kernel-libipsec both sides fake NAT, so this is true even on a flat link.</summary>
    public bool NatRemote { get; init; }

    /// <summary>This host fakes NAT (sends bogus NATD hashes to force UDP encapsulation).</summary>
    public bool NatFake { get; init; }

    /// <summary>Any NAT detected or faked.</summary>
    public bool NatAny { get; init; }

    /// <summary>Encryption algorithm, e.g. AES_GCM_16 or AES_CBC.</summary>
    public string? EncrAlg { get; init; }

    /// <summary>Encryption key size in bits.</summary>
    public int? EncrKeysize { get; init; }

    /// <summary>Integrity algorithm (null for AEAD ciphers).</summary>
    public string? IntegAlg { get; init; }

    /// <summary>Integrity key size in bits, when strongSwan reports one.</summary>
    public int? IntegKeysize { get; init; }

    /// <summary>PRF, e.g. PRF_HMAC_SHA2_384.</summary>
    public string? PrfAlg { get; init; }

    /// <summary>Key exchange group, e.g. ECP_384 or CURVE_25519.</summary>
    public string? DhGroup { get; init; }

    /// <summary>Seconds since the IKE SA was established.</summary>
    public long? EstablishedSeconds { get; init; }

    /// <summary>The Child SAs of this IKE SA.</summary>
    public IReadOnlyList<SwanChildSa> ChildSas { get; init; } = [];

    /// <summary>Every scalar vici key of the IKE SA section, for fields this model does not name.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();
}

/// <summary>One Child SA as strongSwan reports it (vici <c>child-sas</c> entry).</summary>
public sealed record SwanChildSa
{
    /// <summary>Child name from swanctl.conf.</summary>
    public required string Name { get; init; }

    /// <summary>charon's unique id (the N in <c>name{N}</c> in the log).</summary>
    public required int UniqueId { get; init; }

    /// <summary>Reqid of the policies.</summary>
    public int? ReqId { get; init; }

    /// <summary>INSTALLED, REKEYING, REKEYED, DELETING, ...</summary>
    public required string State { get; init; }

    /// <summary>TUNNEL or TRANSPORT.</summary>
    public string? Mode { get; init; }

    /// <summary>ESP or AH.</summary>
    public string? Protocol { get; init; }

    /// <summary>True when ESP is UDP-encapsulated (RFC 3948); always true with kernel-libipsec.</summary>
    public bool Encap { get; init; }

    /// <summary>Inbound SPI, 8 lowercase hex digits.</summary>
    public string? SpiIn { get; init; }

    /// <summary>Outbound SPI, 8 lowercase hex digits.</summary>
    public string? SpiOut { get; init; }

    /// <summary>Encryption algorithm, e.g. AES_GCM_16.</summary>
    public string? EncrAlg { get; init; }

    /// <summary>Encryption key size in bits.</summary>
    public int? EncrKeysize { get; init; }

    /// <summary>Integrity algorithm (null for AEAD).</summary>
    public string? IntegAlg { get; init; }

    /// <summary>Integrity key size in bits, when reported.</summary>
    public int? IntegKeysize { get; init; }

    /// <summary>PFS key exchange group, null without PFS.</summary>
    public string? DhGroup { get; init; }

    /// <summary>True when extended sequence numbers were negotiated.</summary>
    public bool Esn { get; init; }

    /// <summary>Bytes received.</summary>
    public long BytesIn { get; init; }

    /// <summary>Bytes sent.</summary>
    public long BytesOut { get; init; }

    /// <summary>Packets received.</summary>
    public long PacketsIn { get; init; }

    /// <summary>Packets sent.</summary>
    public long PacketsOut { get; init; }

    /// <summary>Local traffic selectors, e.g. <c>10.7.1.0/24</c>.</summary>
    public IReadOnlyList<string> LocalTs { get; init; } = [];

    /// <summary>Remote traffic selectors.</summary>
    public IReadOnlyList<string> RemoteTs { get; init; } = [];

    /// <summary>Every scalar vici key of the Child SA section.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();
}
