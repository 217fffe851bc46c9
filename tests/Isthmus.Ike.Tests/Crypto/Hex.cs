using System.Text;

namespace Isthmus.Ike.Tests.Crypto;

/// <summary>Test vectors are typed as hex with spaces and line breaks, as the RFCs print them.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex)
    {
        var compact = new StringBuilder(hex.Length);
        foreach (char c in hex)
        {
            if (!char.IsWhiteSpace(c))
            {
                compact.Append(c);
            }
        }

        return Convert.FromHexString(compact.ToString());
    }

    public static byte[] Repeat(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    public static byte[] Counting(int count) => Enumerable.Range(0, count).Select(i => (byte)i).ToArray();

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
