using System.Buffers.Binary;

namespace Isthmus.Esp;

/// <summary>
/// ESP tunnel-mode decapsulation for one inbound SA (RFC 4303 §3.4): anti-replay pre-check, ICV
/// verification, then the window update (§3.4.3), decryption, padding and next-header checks, and
/// the inner packet checked against the SA's traffic selectors (RFC 4301 §5.2), then TCP SYN MSS
/// options clamped to the SA's MTU (<see cref="TcpMssClamp"/>, as routers clamp both directions). Every failure is
/// one <see cref="DropReason"/>; nothing throws on packet input. Successful packets allocate
/// nothing. Not thread-safe: one caller at a time per SA.
/// </summary>
public sealed class EspInboundCodec : IDisposable
{
    private readonly EspCipher cipher;
    private readonly ReplayWindow replay;
    private readonly bool esn;
    private readonly SelectorSet localSelectors;
    private readonly SelectorSet remoteSelectors;
    private readonly ushort mss4;
    private readonly ushort mss6;

    public EspInboundCodec(EspSa sa)
        : this(sa, null)
    {
    }

    /// <summary>A codec for a replaced SA that keeps the anti-replay state of <paramref name="previous"/>.</summary>
    internal EspInboundCodec(EspSa sa, EspInboundCodec? previous)
    {
        ArgumentNullException.ThrowIfNull(sa);
        string? problem = sa.Validate();
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(sa));
        }

        Spi = sa.Spi;
        cipher = new EspCipher(sa);
        esn = sa.ExtendedSequenceNumbers;
        replay = previous is not null && sa.InitialSequenceNumber is null
            ? ReplayWindow.ContinueFrom(previous.replay, sa.ReplayWindow)
            : new ReplayWindow(sa.ReplayWindow, sa.InitialSequenceNumber ?? 0);
        localSelectors = new SelectorSet(sa.LocalSelectors);
        remoteSelectors = new SelectorSet(sa.RemoteSelectors);
        int maxInner = sa.ClampTcpMss ? EspMtu.MaxInnerLength(sa) : 0;
        mss4 = EspMtu.MaxTcpMss(maxInner, innerIPv6: false);
        mss6 = EspMtu.MaxTcpMss(maxInner, innerIPv6: true);
    }

    public uint Spi { get; }

    /// <summary>Highest authenticated sequence number received.</summary>
    public ulong HighestSequenceNumber => replay.Highest;

    /// <summary>
    /// Decapsulates a whole cipher-side packet (outer IPv4/IPv6, optional UDP, ESP) into
    /// <paramref name="inner"/>. The packet's SPI must be this SA's.
    /// </summary>
    public DropReason DecapsulatePacket(ReadOnlySpan<byte> packet, Span<byte> inner, out int written)
    {
        written = 0;
        DropReason outer = CipherSidePacket.TryRead(packet, out var info);
        if (outer != DropReason.None)
        {
            return outer;
        }

        if (info.Kind != CipherPacketKind.Esp)
        {
            return DropReason.Malformed;
        }

        if (info.Spi != Spi)
        {
            return DropReason.UnknownSpi;
        }

        return Decapsulate(packet.Slice(info.EspOffset, info.EspLength), inner, out written);
    }

    /// <summary>
    /// Decapsulates <paramref name="esp"/> (from the SPI to the end of the ICV) and writes the inner
    /// IP packet to <paramref name="inner"/>, returning its length in <paramref name="written"/>.
    /// </summary>
    public DropReason Decapsulate(ReadOnlySpan<byte> esp, Span<byte> inner, out int written)
    {
        written = 0;
        int payloadLength = esp.Length - 8 - cipher.IvLength - cipher.IcvLength;
        if (payloadLength < Math.Max(2, cipher.PadBlock == 16 ? 16 : 4))
        {
            return DropReason.Runt;
        }

        if (payloadLength % cipher.PadBlock != 0)
        {
            return DropReason.Malformed;
        }

        uint low = BinaryPrimitives.ReadUInt32BigEndian(esp[4..]);
        ulong sequence;
        if (esn)
        {
            if (!replay.TryInferEsn(low, out sequence))
            {
                return DropReason.ReplayTooOld;
            }
        }
        else
        {
            sequence = low;
        }

        DropReason replayVerdict = replay.Check(sequence);
        if (replayVerdict != DropReason.None)
        {
            return replayVerdict;
        }

        if (inner.Length < payloadLength)
        {
            return DropReason.BufferTooSmall;
        }

        Span<byte> plaintext = inner[..payloadLength];
        if (!cipher.Open(esp, sequence, plaintext))
        {
            plaintext.Clear();
            return DropReason.IntegrityFailed;
        }

        // RFC 4303 §3.4.3: the window moves only for packets whose ICV verified.
        replay.Accept(sequence);

        int padLength = plaintext[payloadLength - 2];
        byte nextHeader = plaintext[payloadLength - 1];
        int dataLength = payloadLength - 2 - padLength;
        if (dataLength < 0)
        {
            return DropReason.BadPadding;
        }

        for (int i = 0; i < padLength; i++)
        {
            if (plaintext[dataLength + i] != (byte)(i + 1))
            {
                return DropReason.BadPadding;
            }
        }

        if (nextHeader == 59)
        {
            return DropReason.DummyPacket;
        }

        if (nextHeader is not (4 or 41))
        {
            return DropReason.BadNextHeader;
        }

        ReadOnlySpan<byte> data = plaintext[..dataLength];
        if (data.IsEmpty || (data[0] >> 4) != (nextHeader == 4 ? 4 : 6))
        {
            return DropReason.Malformed;
        }

        DropReason flowVerdict = InnerFlow.TryRead(data, out var flow);
        if (flowVerdict != DropReason.None)
        {
            return DropReason.Malformed;
        }

        // Inbound: the inner source is the peer's side, the inner destination ours.
        if (!remoteSelectors.Matches(flow.IsIPv6, flow.Source, flow.Protocol, flow.SourcePort) ||
            !localSelectors.Matches(flow.IsIPv6, flow.Destination, flow.Protocol, flow.DestinationPort))
        {
            return DropReason.SelectorMismatch;
        }

        if ((mss4 | mss6) != 0)
        {
            TcpMssClamp.Apply(inner[..flow.Length], mss4, mss6);
        }

        written = flow.Length;
        return DropReason.None;
    }

    public void Dispose() => cipher.Dispose();
}
