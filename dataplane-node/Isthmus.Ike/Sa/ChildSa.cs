using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;

namespace Isthmus.Ike.Sa;

/// <summary>
/// An ESP Child SA pair (RFC 7296 §1.3, §2.17): our inbound SPI (chosen by us) and outbound SPI
/// (chosen by the peer), the negotiated transforms, the narrowed selectors and the keying
/// material. Keys are held for installation in the dataplane and never printed.
/// </summary>
public sealed class ChildSa
{
    internal ChildSa(string name, uint spiIn, uint spiOut, SelectedProposal proposal, IReadOnlyList<TrafficSelector> localTs,
        IReadOnlyList<TrafficSelector> remoteTs, ChildKeys keys, bool isInitiator, bool udpEncapsulation, DateTimeOffset establishedAt)
    {
        Name = name;
        SpiIn = spiIn;
        SpiOut = spiOut;
        Proposal = proposal;
        LocalTs = localTs;
        RemoteTs = remoteTs;
        Keys = keys;
        IsInitiator = isInitiator;
        UdpEncapsulation = udpEncapsulation;
        EstablishedAt = establishedAt;
    }

    public string Name { get; }
    public uint SpiIn { get; }
    public uint SpiOut { get; }
    public SelectedProposal Proposal { get; }
    public IReadOnlyList<TrafficSelector> LocalTs { get; }
    public IReadOnlyList<TrafficSelector> RemoteTs { get; }

    /// <summary>KEYMAT split per RFC 7296 §2.17: the "I" keys protect traffic from the IKE SA initiator to the responder.</summary>
    public ChildKeys Keys { get; }

    /// <summary>True when this end was the initiator of the exchange that created the Child SA.</summary>
    public bool IsInitiator { get; }

    /// <summary>ESP in UDP (RFC 3948) because a NAT was detected.</summary>
    public bool UdpEncapsulation { get; }
    public DateTimeOffset EstablishedAt { get; }

    /// <summary>When this end starts a rekey (RFC 7296 §1.3.3); set by the owning IKE SA.</summary>
    public DateTimeOffset RekeyAt { get; internal set; } = DateTimeOffset.MaxValue;

    /// <summary>True once a rekey replaced this SA: it only waits for its Delete (RFC 7296 §2.8).</summary>
    public bool Rekeyed { get; internal set; }

    /// <summary>True while a CREATE_CHILD_SA to rekey it is outstanding.</summary>
    internal bool Rekeying { get; set; }

    public byte[] OutboundEncryptionKey => IsInitiator ? Keys.EncrI : Keys.EncrR;
    public byte[] OutboundIntegrityKey => IsInitiator ? Keys.IntegI : Keys.IntegR;
    public byte[] InboundEncryptionKey => IsInitiator ? Keys.EncrR : Keys.EncrI;
    public byte[] InboundIntegrityKey => IsInitiator ? Keys.IntegR : Keys.IntegI;

    public override string ToString() => $"{Name} spi_in={SpiIn:x8} spi_out={SpiOut:x8}";
}
