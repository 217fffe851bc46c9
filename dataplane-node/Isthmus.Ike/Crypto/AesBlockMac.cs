using System.Security.Cryptography;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// The two AES-128 CBC-MAC variants IKEv2 uses: AES-XCBC-MAC (RFC 3566 §4) and AES-CMAC
/// (RFC 4493 §2.4). Both take a 16-octet key and produce a full 16-octet tag; callers truncate
/// (RFC 3566 / RFC 4494: 96 bits for ESP and IKE integrity) or use it whole (RFC 4434 / RFC 4615 PRF).
/// </summary>
internal static class AesBlockMac
{
    public const int BlockSize = 16;

    /// <summary>AES-XCBC-MAC (RFC 3566 §4), untruncated.</summary>
    public static void Xcbc(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> mac)
    {
        if (key.Length != BlockSize)
        {
            throw new ArgumentException("AES-XCBC-MAC takes a 16-octet key.", nameof(key));
        }

        Span<byte> k1 = stackalloc byte[BlockSize];
        Span<byte> k2 = stackalloc byte[BlockSize];
        Span<byte> k3 = stackalloc byte[BlockSize];
        Span<byte> e = stackalloc byte[BlockSize];
        Span<byte> block = stackalloc byte[BlockSize];
        try
        {
            using (var master = Aes.Create())
            {
                master.SetKey(key);
                // (1) K1 = 0x01010101..., K2 = 0x02020202..., K3 = 0x03030303... each encrypted under K.
                block.Fill(0x01);
                master.EncryptEcb(block, k1, PaddingMode.None);
                block.Fill(0x02);
                master.EncryptEcb(block, k2, PaddingMode.None);
                block.Fill(0x03);
                master.EncryptEcb(block, k3, PaddingMode.None);
            }

            using var aes = Aes.Create();
            aes.SetKey(k1);
            e.Clear();

            // (3) every block but the last: E[i] = AES-K1(M[i] XOR E[i-1])
            int offset = 0;
            while (message.Length - offset > BlockSize)
            {
                Xor(message.Slice(offset, BlockSize), e, block);
                aes.EncryptEcb(block, e, PaddingMode.None);
                offset += BlockSize;
            }

            ReadOnlySpan<byte> last = message[offset..];
            if (last.Length == BlockSize)
            {
                // (4) a complete final block: XOR with E[n-1] and K2.
                Xor(last, e, block);
                Xor(block, k2, block);
            }
            else
            {
                // (5) an incomplete (or empty) final block: pad with 10*, XOR with E[n-1] and K3.
                block.Clear();
                last.CopyTo(block);
                block[last.Length] = 0x80;
                Xor(block, e, block);
                Xor(block, k3, block);
            }

            aes.EncryptEcb(block, mac[..BlockSize], PaddingMode.None);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k1);
            CryptographicOperations.ZeroMemory(k2);
            CryptographicOperations.ZeroMemory(k3);
            CryptographicOperations.ZeroMemory(e);
            CryptographicOperations.ZeroMemory(block);
        }
    }

    /// <summary>AES-CMAC (RFC 4493 §2.4), untruncated.</summary>
    public static void Cmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> mac)
    {
        if (key.Length != BlockSize)
        {
            throw new ArgumentException("AES-CMAC takes a 16-octet key.", nameof(key));
        }

        Span<byte> l = stackalloc byte[BlockSize];
        Span<byte> k1 = stackalloc byte[BlockSize];
        Span<byte> k2 = stackalloc byte[BlockSize];
        Span<byte> x = stackalloc byte[BlockSize];
        Span<byte> block = stackalloc byte[BlockSize];
        try
        {
            using var aes = Aes.Create();
            aes.SetKey(key);

            // Generate_Subkey (RFC 4493 §2.3): L = AES-K(0^128), K1 = L << 1 (^ Rb), K2 = K1 << 1 (^ Rb).
            l.Clear();
            aes.EncryptEcb(l, l, PaddingMode.None);
            DoubleInGf128(l, k1);
            DoubleInGf128(k1, k2);

            int n = (message.Length + BlockSize - 1) / BlockSize;
            bool complete;
            if (n == 0)
            {
                n = 1;
                complete = false;
            }
            else
            {
                complete = message.Length % BlockSize == 0;
            }

            x.Clear();
            for (int i = 0; i < n - 1; i++)
            {
                Xor(message.Slice(i * BlockSize, BlockSize), x, block);
                aes.EncryptEcb(block, x, PaddingMode.None);
            }

            ReadOnlySpan<byte> last = message[((n - 1) * BlockSize)..];
            if (complete)
            {
                Xor(last, k1, block);
            }
            else
            {
                block.Clear();
                last.CopyTo(block);
                block[last.Length] = 0x80;
                Xor(block, k2, block);
            }

            Xor(block, x, block);
            aes.EncryptEcb(block, mac[..BlockSize], PaddingMode.None);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(l);
            CryptographicOperations.ZeroMemory(k1);
            CryptographicOperations.ZeroMemory(k2);
            CryptographicOperations.ZeroMemory(x);
            CryptographicOperations.ZeroMemory(block);
        }
    }

    private static void DoubleInGf128(ReadOnlySpan<byte> input, Span<byte> output)
    {
        const byte rb = 0x87;
        bool msb = (input[0] & 0x80) != 0;
        for (int i = 0; i < BlockSize - 1; i++)
        {
            output[i] = (byte)((input[i] << 1) | (input[i + 1] >> 7));
        }

        output[BlockSize - 1] = (byte)(input[BlockSize - 1] << 1);
        if (msb)
        {
            output[BlockSize - 1] ^= rb;
        }
    }

    private static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> result)
    {
        for (int i = 0; i < BlockSize; i++)
        {
            result[i] = (byte)(a[i] ^ b[i]);
        }
    }
}
