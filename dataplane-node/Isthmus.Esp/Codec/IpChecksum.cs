using System.Buffers.Binary;

namespace Isthmus.Esp;

/// <summary>The Internet checksum (RFC 1071) and its incremental update (RFC 1624).</summary>
internal static class IpChecksum
{
    public static uint Sum(ReadOnlySpan<byte> data, uint sum = 0)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        return sum;
    }

    public static ushort Fold(uint sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>RFC 1624 eqn. 3: the checksum after one 16-bit word changes from <paramref name="old"/> to <paramref name="now"/>.</summary>
    public static ushort Update(ushort checksum, ushort old, ushort now) =>
        Fold((uint)(ushort)~checksum + (ushort)~old + now);
}
