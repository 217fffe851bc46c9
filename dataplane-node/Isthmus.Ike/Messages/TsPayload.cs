using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Traffic Selector payload TSi or TSr (RFC 7296 §3.13).
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Number of TSs |                 RESERVED                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                       &lt;Traffic Selectors&gt;                       ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Traffic selector (§3.13.1):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   TS Type     |IP Protocol ID*|       Selector Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Start Port*         |           End Port*           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                         Starting Address*                     ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                         Ending Address*                       ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// TS_IPV4_ADDR_RANGE (7) selectors are exactly 16 octets, TS_IPV6_ADDR_RANGE (8) exactly 40;
/// other TS types are refused. Whether start &lt;= end is a policy question left to the caller.
/// </summary>
public sealed partial class TsPayload(bool isInitiator, IReadOnlyList<TrafficSelector> selectors) : Payload
{
    private const int FixedSize = 4;
    private const int SelectorHeaderSize = 8;
    public const int Ipv4SelectorLength = SelectorHeaderSize + 4 + 4;
    public const int Ipv6SelectorLength = SelectorHeaderSize + 16 + 16;

    public override PayloadType Type => IsInitiator ? PayloadType.TrafficSelectorInitiator : PayloadType.TrafficSelectorResponder;
    public bool IsInitiator { get; } = isInitiator;
    public IReadOnlyList<TrafficSelector> Selectors { get; } = selectors;

    public override int BodyLength
    {
        get
        {
            int length = FixedSize;
            foreach (var selector in Selectors)
            {
                length += SelectorLength(selector.TsType);
            }

            return length;
        }
    }

    public override void WriteBody(Span<byte> destination)
    {
        if (Selectors.Count is 0 or > byte.MaxValue)
        {
            throw new InvalidOperationException($"TS payload with {Selectors.Count} selectors: must be 1 to {byte.MaxValue}");
        }

        CheckRoom(destination, BodyLength);
        destination[0] = (byte)Selectors.Count;
        destination[1..FixedSize].Clear();
        int offset = FixedSize;
        foreach (var selector in Selectors)
        {
            var family = AddressFamilyOf(selector.TsType);
            if (selector.StartAddress.AddressFamily != family || selector.EndAddress.AddressFamily != family)
            {
                throw new InvalidOperationException($"traffic selector of type {selector.TsType} needs {family} addresses");
            }

            int length = SelectorLength(selector.TsType);
            int addressLength = (length - SelectorHeaderSize) / 2;
            var target = destination.Slice(offset, length);
            target[0] = (byte)selector.TsType;
            target[1] = selector.IpProtocol;
            BinaryPrimitives.WriteUInt16BigEndian(target[2..], (ushort)length);
            BinaryPrimitives.WriteUInt16BigEndian(target[4..], selector.StartPort);
            BinaryPrimitives.WriteUInt16BigEndian(target[6..], selector.EndPort);
            selector.StartAddress.TryWriteBytes(target.Slice(SelectorHeaderSize, addressLength), out _);
            selector.EndAddress.TryWriteBytes(target.Slice(SelectorHeaderSize + addressLength, addressLength), out _);
            offset += length;
        }
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, bool isInitiator, out TsPayload? payload, out ParseError error)
    {
        var type = isInitiator ? PayloadType.TrafficSelectorInitiator : PayloadType.TrafficSelectorResponder;
        if (body.Length < FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"TS body of {body.Length} octets is shorter than its {FixedSize}-octet fixed part", type);
        }

        int count = body[0];
        if (count == 0)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidValue, "TS payload contains no traffic selectors", type);
        }

        var selectors = new List<TrafficSelector>(count);
        var rest = body[FixedSize..];
        for (int i = 0; i < count; i++)
        {
            if (rest.Length < 4)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"TS payload declares {count} selectors but selector {i + 1} has only {rest.Length} octets", type);
            }

            var tsType = (TsType)rest[0];
            if (tsType is not (TsType.Ipv4AddrRange or TsType.Ipv6AddrRange))
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidValue, $"unsupported TS type {(byte)tsType}", type);
            }

            int expected = SelectorLength(tsType);
            int length = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            if (length != expected)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"{tsType} selector length {length}, must be {expected}", type);
            }

            if (length > rest.Length)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"selector {i + 1} of {length} octets overruns the TS payload ({rest.Length} left)", type);
            }

            int addressLength = (length - SelectorHeaderSize) / 2;
            selectors.Add(new TrafficSelector(
                tsType,
                rest[1],
                BinaryPrimitives.ReadUInt16BigEndian(rest[4..]),
                BinaryPrimitives.ReadUInt16BigEndian(rest[6..]),
                new IPAddress(rest.Slice(SelectorHeaderSize, addressLength)),
                new IPAddress(rest.Slice(SelectorHeaderSize + addressLength, addressLength))));
            rest = rest[length..];
        }

        if (!rest.IsEmpty)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"{rest.Length} octets after the last of {count} traffic selectors", type);
        }

        payload = new TsPayload(isInitiator, selectors);
        error = default;
        return true;
    }

    private static int SelectorLength(TsType tsType) => tsType switch
    {
        TsType.Ipv4AddrRange => Ipv4SelectorLength,
        TsType.Ipv6AddrRange => Ipv6SelectorLength,
        _ => throw new InvalidOperationException($"unsupported TS type {(byte)tsType}"),
    };

    private static AddressFamily AddressFamilyOf(TsType tsType) =>
        tsType == TsType.Ipv4AddrRange ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
}

/// <summary>
/// One traffic selector (RFC 7296 §3.13.1): an address range, an IP protocol (0 = any) and a
/// port range (0-65535 = any). IPv4 selectors are 16 octets on the wire, IPv6 40.
/// </summary>
public sealed record TrafficSelector(TsType TsType, byte IpProtocol, ushort StartPort, ushort EndPort, IPAddress StartAddress, IPAddress EndAddress);
