using System.Buffers.Binary;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

public readonly partial record struct IkeHeader
{
    /// <summary>The only major version this implementation speaks (RFC 7296 §3.1).</summary>
    public const byte SupportedMajorVersion = 2;

    /// <summary>
    /// Reads the 28-octet header at the start of <paramref name="data"/>. Fails with
    /// <see cref="ParseErrorCode.Truncated"/> below 28 octets (then <paramref name="header"/> is
    /// default), <see cref="ParseErrorCode.InvalidMajorVersion"/> when MjVer is not 2, and
    /// <see cref="ParseErrorCode.InvalidLength"/> when Length is below 28. In the last two cases
    /// <paramref name="header"/> still holds the fields read, so a responder can address its
    /// INVALID_MAJOR_VERSION answer (RFC 7296 §2.5) to the sender's SPIs.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out IkeHeader header, out ParseError error)
    {
        if (data.Length < Size)
        {
            header = default;
            error = new ParseError(ParseErrorCode.Truncated, $"IKE header needs {Size} octets, got {data.Length}");
            return false;
        }

        byte version = data[17];
        header = new IkeHeader(
            InitiatorSpi: BinaryPrimitives.ReadUInt64BigEndian(data),
            ResponderSpi: BinaryPrimitives.ReadUInt64BigEndian(data[8..]),
            NextPayload: (PayloadType)data[16],
            Exchange: (ExchangeType)data[18],
            Flags: (IkeHeaderFlags)data[19],
            MessageId: BinaryPrimitives.ReadUInt32BigEndian(data[20..]),
            Length: BinaryPrimitives.ReadUInt32BigEndian(data[24..]),
            MajorVersion: (byte)(version >> 4),
            MinorVersion: (byte)(version & 0x0F));

        if (header.MajorVersion != SupportedMajorVersion)
        {
            error = new ParseError(ParseErrorCode.InvalidMajorVersion, $"IKE major version {header.MajorVersion} is not supported (only {SupportedMajorVersion})");
            return false;
        }

        if (header.Length < Size)
        {
            error = new ParseError(ParseErrorCode.InvalidLength, $"IKE header Length {header.Length} is below the header size {Size}");
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>Writes the 28-octet header into <paramref name="destination"/>, big-endian.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"IKE header needs {Size} octets of room", nameof(destination));
        }

        if (MajorVersion > 0x0F || MinorVersion > 0x0F)
        {
            throw new InvalidOperationException("IKE version numbers are 4-bit fields");
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, InitiatorSpi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ResponderSpi);
        destination[16] = (byte)NextPayload;
        destination[17] = (byte)((MajorVersion << 4) | MinorVersion);
        destination[18] = (byte)Exchange;
        destination[19] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], MessageId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], Length);
    }
}
