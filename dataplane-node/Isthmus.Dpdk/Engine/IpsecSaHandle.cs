using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Isthmus.Dpdk.Interop;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>
/// An rte_ipsec SA with its prepared rte_ipsec_session, in one 64-byte aligned native block:
/// [rte_ipsec_session 64][slot u32, pad to 128][rte_ipsec_sa]. Holds a reference on its crypto
/// session, which holds one on its session pool. The session pointer is what rte_ipsec_sad and
/// the crypto session's opaque data point to; the slot leads back to the managed <see cref="SaRuntime"/>.
/// </summary>
internal sealed unsafe class IpsecSaHandle : SafeHandle
{
    public const int SlotOffset = 64;
    private const int SaOffset = 128;
    private readonly CryptoSessionHandle cryptoSession;

    private IpsecSaHandle(nint block, CryptoSessionHandle cryptoSession)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(block);
        this.cryptoSession = cryptoSession;
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>The rte_ipsec_session the burst functions take.</summary>
    public IpsecSession* Session => (IpsecSession*)handle;

    /// <summary>
    /// Builds the crypto session and the rte_ipsec SA for <paramref name="sa"/>. Outbound SAs get the
    /// tunnel header template: Ethernet (<paramref name="sourceMac"/> → <paramref name="nextHopMac"/>)
    /// and the outer IPv4/IPv6 header, UDP added by rte_ipsec when the SA is encapsulated.
    /// Returns null and a reason when the device or rte_ipsec refuses the SA.
    /// </summary>
    public static IpsecSaHandle Create(EspSa sa, uint slot, CryptoDevice device, MempoolHandle sessionPool, ReadOnlySpan<byte> sourceMac, ReadOnlySpan<byte> nextHopMac)
    {
        bool outbound = sa.Direction == EspDirection.Outbound;
        int saltLength = EspAlgorithms.SaltLength(sa.Encryption);
        int cipherKeyLength = EspAlgorithms.CipherKeyLength(sa.Encryption);
        byte[] keyMaterial = sa.EncryptionKey.ToArray();
        byte[] integrityKey = sa.IntegrityKey.ToArray();
        var xforms = (CryptoSymXform*)NativeMemory.AllocZeroed(2, (nuint)sizeof(CryptoSymXform));
        try
        {
            fixed (byte* key = keyMaterial)
            fixed (byte* authKey = integrityKey)
            {
                CryptoSymXform* first = FillXforms(sa, xforms, key, cipherKeyLength, authKey, outbound);
                CryptoSessionHandle session = CryptoSessionHandle.Create(device, first, sessionPool);
                try
                {
                    return Build(sa, slot, session, first, saltLength == 0 ? 0 : MemoryMarshal.Read<uint>(keyMaterial.AsSpan(cipherKeyLength, 4)), sourceMac, nextHopMac);
                }
                catch
                {
                    session.Dispose();
                    throw;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyMaterial);
            CryptographicOperations.ZeroMemory(integrityKey);
            new Span<byte>(xforms, 2 * sizeof(CryptoSymXform)).Clear();
            NativeMemory.Free(xforms);
        }
    }

    /// <summary>The slot stored in the native block behind <paramref name="session"/>.</summary>
    public static uint SlotOf(nint session) => *(uint*)(session + SlotOffset);

    protected override bool ReleaseHandle()
    {
        Ipsec.SaFini(handle + SaOffset);
        NativeMemory.AlignedFree((void*)handle);
        cryptoSession.DangerousRelease();
        cryptoSession.Dispose();
        return true;
    }

    private static IpsecSaHandle Build(EspSa sa, uint slot, CryptoSessionHandle session, CryptoSymXform* xform, uint salt, ReadOnlySpan<byte> sourceMac, ReadOnlySpan<byte> nextHopMac)
    {
        bool outbound = sa.Direction == EspDirection.Outbound;
        bool outerIPv6 = sa.TunnelSource.AddressFamily == AddressFamily.InterNetworkV6;
        bool innerIPv6 = InnerIsIPv6(sa, outerIPv6);
        byte* header = stackalloc byte[64];
        int headerLength = outbound ? WriteTunnelHeader(sa, outerIPv6, header, sourceMac, nextHopMac) : 0;

        IpsecSaPrm prm = default;
        prm.UserData = slot;
        prm.Spi = sa.Spi;
        prm.Salt = salt;
        // DSCP copied and ECN propagated between inner and outer headers (RFC 4301 §5.1.2.1, RFC 6040).
        // UDP encapsulation is rte_ipsec's business outbound only (it inserts the UDP header); inbound the
        // engine strips it by counting the UDP header into l3_len, and rte_ipsec 22.11 has no inbound NAT-T SA type.
        prm.Options = (sa.ExtendedSequenceNumbers ? IpsecOptions.Esn : 0) | (outbound && sa.Encapsulation is not null ? IpsecOptions.UdpEncap : 0) |
            IpsecOptions.CopyDscp | IpsecOptions.Ecn;
        prm.Direction = outbound ? IpsecConstants.DirectionEgress : IpsecConstants.DirectionIngress;
        prm.Protocol = IpsecConstants.ProtocolEsp;
        prm.Mode = IpsecConstants.ModeTunnel;
        prm.TunnelType = outerIPv6 ? IpsecConstants.TunnelIPv6 : IpsecConstants.TunnelIPv4;
        prm.ReplayWindow = outbound ? 0 : (uint)sa.ReplayWindow;
        ulong initial = sa.InitialSequenceNumber ?? 0;
        prm.Esn = outbound ? initial + 1 : initial;
        prm.UdpSourcePort = sa.Encapsulation?.SourcePort ?? 0;
        prm.UdpDestinationPort = sa.Encapsulation?.DestinationPort ?? 0;
        prm.CryptoXform = xform;
        prm.TunnelHeaderLength = (byte)headerLength;
        prm.TunnelHeaderL3Offset = outbound ? (byte)14 : (byte)0;
        prm.TunnelNextProtocol = innerIPv6 ? IpsecConstants.IpProtoIPv6 : IpsecConstants.IpProtoIpip;
        prm.TunnelHeader = header;

        int size = Ipsec.SaSize(&prm);
        if (size < 0)
        {
            throw new DpdkException("rte_ipsec_sa_size", size);
        }

        nint block = (nint)NativeMemory.AlignedAlloc((nuint)(SaOffset + size), 64);
        new Span<byte>((void*)block, SaOffset).Clear();
        int rc = Ipsec.SaInit(block + SaOffset, &prm, (uint)size);
        if (rc < 0)
        {
            NativeMemory.AlignedFree((void*)block);
            throw new DpdkException("rte_ipsec_sa_init", rc);
        }

        var ipsecSession = (IpsecSession*)block;
        ipsecSession->Sa = block + SaOffset;
        ipsecSession->Type = IpsecConstants.SessionTypeNone;
        ipsecSession->CryptoSession = session.DangerousGetHandle();
        *(uint*)(block + SlotOffset) = slot;
        rc = Ipsec.SessionPrepare(ipsecSession);
        if (rc < 0)
        {
            Ipsec.SaFini(block + SaOffset);
            NativeMemory.AlignedFree((void*)block);
            throw new DpdkException("rte_ipsec_session_prepare", rc);
        }

        // rte_ipsec_pkt_crypto_group finds the rte_ipsec_session through the crypto session's opaque data.
        Shim.CryptodevSymSessionOpaqueDataSet(session.DangerousGetHandle(), (ulong)block);
        bool added = false;
        session.DangerousAddRef(ref added);
        return new IpsecSaHandle(block, session);
    }

    /// <summary>rte_ipsec tunnel SAs carry one inner family: the family of the SA's selectors, else the outer one.</summary>
    internal static bool InnerIsIPv6(EspSa sa, bool outerIPv6)
    {
        if (sa.LocalSelectors.Count > 0)
        {
            return sa.LocalSelectors[0].Addresses.IsIPv6;
        }

        return sa.RemoteSelectors.Count > 0 ? sa.RemoteSelectors[0].Addresses.IsIPv6 : outerIPv6;
    }

    private static int WriteTunnelHeader(EspSa sa, bool outerIPv6, byte* header, ReadOnlySpan<byte> sourceMac, ReadOnlySpan<byte> nextHopMac)
    {
        var span = new Span<byte>(header, 64);
        span.Clear();
        nextHopMac[..6].CopyTo(span);
        sourceMac[..6].CopyTo(span[6..]);
        byte protocol = sa.Encapsulation is null ? (byte)50 : (byte)17;
        if (outerIPv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[12..], 0x86DD);
            span[14] = 0x60;
            span[14 + 6] = protocol;
            span[14 + 7] = sa.OuterHopLimit;
            sa.TunnelSource.TryWriteBytes(span[(14 + 8)..], out _);
            sa.TunnelDestination.TryWriteBytes(span[(14 + 24)..], out _);
            return 14 + 40;
        }

        BinaryPrimitives.WriteUInt16BigEndian(span[12..], 0x0800);
        span[14] = 0x45;
        span[14 + 6] = sa.DontFragment == DontFragmentMode.Set ? (byte)0x40 : (byte)0;
        span[14 + 8] = sa.OuterHopLimit;
        span[14 + 9] = protocol;
        sa.TunnelSource.TryWriteBytes(span[(14 + 12)..], out _);
        sa.TunnelDestination.TryWriteBytes(span[(14 + 16)..], out _);
        return 14 + 20;
    }

    private static CryptoSymXform* FillXforms(EspSa sa, CryptoSymXform* xforms, byte* key, int keyLength, byte* authKey, bool outbound)
    {
        int icv = EspAlgorithms.IcvLength(sa.Encryption, sa.Integrity);
        if (EspAlgorithms.IsGmac(sa.Encryption))
        {
            xforms[0] = new CryptoSymXform
            {
                Type = CryptoSymXformType.Auth,
                Op = outbound ? CryptoConstants.AuthOpGenerate : CryptoConstants.AuthOpVerify,
                Algorithm = CryptoConstants.AuthAesGmac,
                KeyData = key,
                KeyLength = (ushort)keyLength,
                IvOffset = CryptoConstants.IvOffset,
                IvLength = 12,
                DigestLength = (ushort)icv,
            };
            return xforms;
        }

        if (EspAlgorithms.IsAead(sa.Encryption))
        {
            bool chacha = sa.Encryption == EspEncryptionAlgorithm.ChaCha20Poly1305;
            xforms[0] = new CryptoSymXform
            {
                Type = CryptoSymXformType.Aead,
                Op = outbound ? CryptoConstants.AeadOpEncrypt : CryptoConstants.AeadOpDecrypt,
                Algorithm = chacha ? CryptoConstants.AeadChaCha20Poly1305 : CryptoConstants.AeadAesGcm,
                KeyData = key,
                KeyLength = (ushort)keyLength,
                IvOffset = CryptoConstants.IvOffset,
                IvLength = 12,
                DigestLength = (ushort)icv,
                AadLength = sa.ExtendedSequenceNumbers ? (ushort)12 : (ushort)8,
            };
            return xforms;
        }

        var cipher = new CryptoSymXform
        {
            Type = CryptoSymXformType.Cipher,
            Op = outbound ? CryptoConstants.CipherOpEncrypt : CryptoConstants.CipherOpDecrypt,
            Algorithm = sa.Encryption switch
            {
                EspEncryptionAlgorithm.Null => CryptoConstants.CipherNull,
                EspEncryptionAlgorithm.AesCtr128 or EspEncryptionAlgorithm.AesCtr192 or EspEncryptionAlgorithm.AesCtr256 => CryptoConstants.CipherAesCtr,
                _ => CryptoConstants.CipherAesCbc,
            },
            KeyData = keyLength == 0 ? null : key,
            KeyLength = (ushort)keyLength,
            IvOffset = CryptoConstants.IvOffset,
            IvLength = sa.Encryption switch
            {
                EspEncryptionAlgorithm.Null => 0,
                EspEncryptionAlgorithm.AesCbc128 or EspEncryptionAlgorithm.AesCbc192 or EspEncryptionAlgorithm.AesCbc256 => 16,
                _ => 16,
            },
        };
        var auth = new CryptoSymXform
        {
            Type = CryptoSymXformType.Auth,
            Op = outbound ? CryptoConstants.AuthOpGenerate : CryptoConstants.AuthOpVerify,
            Algorithm = sa.Integrity switch
            {
                EspIntegrityAlgorithm.HmacSha1_96 => CryptoConstants.AuthSha1Hmac,
                EspIntegrityAlgorithm.HmacSha2_256_128 => CryptoConstants.AuthSha256Hmac,
                EspIntegrityAlgorithm.HmacSha2_384_192 => CryptoConstants.AuthSha384Hmac,
                EspIntegrityAlgorithm.HmacSha2_512_256 => CryptoConstants.AuthSha512Hmac,
                _ => CryptoConstants.AuthNull,
            },
            KeyData = sa.IntegrityKey.Length == 0 ? null : authKey,
            KeyLength = (ushort)sa.IntegrityKey.Length,
            DigestLength = (ushort)icv,
        };

        // rte_ipsec wants cipher then auth outbound, auth then cipher inbound.
        xforms[0] = outbound ? cipher : auth;
        xforms[1] = outbound ? auth : cipher;
        xforms[0].Next = &xforms[1];
        return xforms;
    }
}
