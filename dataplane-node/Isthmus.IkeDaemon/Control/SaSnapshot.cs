namespace Isthmus.IkeDaemon.Control;

/// <summary>What `isthmus-iked list-sas` shows of one IKE SA. No key material, ever.</summary>
public sealed record IkeSaSnapshot(
    string Tunnel,
    string State,
    string Role,
    string SpiI,
    string SpiR,
    string LocalEndpoint,
    string RemoteEndpoint,
    string? LocalId,
    string? RemoteId,
    string? Algorithms,
    bool NatLocal,
    bool NatRemote,
    DateTimeOffset? EstablishedAt,
    long DroppedMessages,
    IReadOnlyList<ChildSaSnapshot> ChildSas);

public sealed record ChildSaSnapshot(
    string Name,
    string State,
    string SpiIn,
    string SpiOut,
    string Algorithms,
    bool UdpEncapsulation,
    IReadOnlyList<string> LocalTs,
    IReadOnlyList<string> RemoteTs,
    DateTimeOffset EstablishedAt);

/// <summary>The daemon-wide view: SAs and counters.</summary>
public sealed record DaemonSnapshot(
    IReadOnlyList<IkeSaSnapshot> Sas,
    long DroppedDatagrams,
    long NatKeepalivesReceived,
    long EspPacketsIgnored);
