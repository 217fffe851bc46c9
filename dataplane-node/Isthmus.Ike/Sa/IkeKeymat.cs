using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa;

/// <summary>
/// The keys of one IKE SA and what is derived from them (strongSwan's keymat_v2): the negotiated
/// proposal and PRF, SK_d, SK_a*, SK_e*, SK_p* (RFC 7296 §2.14), the SK payload protection of
/// this end's role (§3.14), KEYMAT for Child SAs (§2.17), and the keys of the IKE SA that
/// replaces this one (§2.18). Transforms come from the injected <see cref="ICryptoFactory"/>.
/// </summary>
internal sealed class IkeKeymat
{
    private readonly ICryptoFactory _crypto;
    private readonly IRandomSource _random;

    private IkeKeymat(ICryptoFactory crypto, IRandomSource random, SelectedProposal proposal, IPrf prf, IkeKeys keys,
        EncryptedPayloadProtector protector)
    {
        _crypto = crypto;
        _random = random;
        Proposal = proposal;
        Prf = prf;
        Keys = keys;
        Protector = protector;
    }

    public SelectedProposal Proposal { get; }
    public IPrf Prf { get; }
    public IkeKeys Keys { get; }
    public EncryptedPayloadProtector Protector { get; }

    /// <summary>
    /// SKEYSEED = prf(Ni | Nr, g^ir), then {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} =
    /// prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (RFC 7296 §2.14).
    /// </summary>
    public static bool TryDerive(ICryptoFactory crypto, IRandomSource random, SelectedProposal selected, byte[] ni, byte[] nr,
        ulong spiI, ulong spiR, byte[] sharedSecret, bool isInitiator, [NotNullWhen(true)] out IkeKeymat? keymat,
        [NotNullWhen(false)] out string? reason)
    {
        keymat = null;
        if (!TryCreateTransforms(crypto, selected, out var prf, out var cipher, out var integrity, out reason)) return false;
        var skeyseed = KeyDerivation.ComputeSkeyseed(prf, ni, nr, sharedSecret);
        keymat = Create(crypto, random, selected, prf, cipher, integrity, skeyseed, ni, nr, spiI, spiR, isInitiator);
        return true;
    }

    /// <summary>
    /// The keys of the IKE SA that replaces this one (RFC 7296 §2.18): SKEYSEED = prf(SK_d (old),
    /// g^ir (new) | Ni | Nr) with this SA's PRF, then prf+ with the new proposal's. The side that
    /// initiated the rekey is the original initiator of the new SA.
    /// </summary>
    public bool TryDeriveRekeyed(SelectedProposal selected, byte[] ni, byte[] nr, ulong spiI, ulong spiR, byte[] sharedSecret,
        bool isInitiator, [NotNullWhen(true)] out IkeKeymat? keymat, [NotNullWhen(false)] out string? reason)
    {
        keymat = null;
        if (!TryCreateTransforms(_crypto, selected, out var prf, out var cipher, out var integrity, out reason)) return false;
        var skeyseed = KeyDerivation.ComputeRekeySkeyseed(Prf, Keys.SkD, sharedSecret, ni, nr);
        keymat = Create(_crypto, _random, selected, prf, cipher, integrity, skeyseed, ni, nr, spiI, spiR, isInitiator);
        return true;
    }

    /// <summary>KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr) with the nonces of the exchange creating the Child SA (RFC 7296 §2.17).</summary>
    public bool TryDeriveChildKeys(SelectedProposal selected, byte[] dhSecret, byte[] ni, byte[] nr,
        [NotNullWhen(true)] out ChildKeys? keys, [NotNullWhen(false)] out string? reason)
    {
        keys = null;
        reason = null;
        var encKeySize = EspKeySize(selected.Encryption, selected.EncryptionKeyLength);
        if (encKeySize < 0)
        {
            reason = $"ESP encryption {selected.Encryption} with {selected.EncryptionKeyLength}-bit key is not supported";
            return false;
        }
        var integKeySize = 0;
        if (selected.Integrity != IntegrityAlgorithm.None)
        {
            if (!_crypto.TryCreateIntegrity(selected.Integrity, out var integ))
            {
                reason = $"ESP integrity {selected.Integrity} is not supported";
                return false;
            }
            integKeySize = integ.KeySize;
        }
        keys = KeyDerivation.DeriveChildKeys(Prf, Keys.SkD, dhSecret, ni, nr, encKeySize, integKeySize);
        return true;
    }

    /// <summary>ESP key material per algorithm (RFC 4106 §8.1, RFC 4543, RFC 7634 §2): key plus salt where there is one.</summary>
    private int EspKeySize(EncryptionAlgorithm alg, int keyBits) => alg switch
    {
        EncryptionAlgorithm.NullAuthAesGmac when keyBits is 128 or 192 or 256 => keyBits / 8 + 4,
        EncryptionAlgorithm.Null => 0,
        _ => _crypto.TryCreateCipher(alg, keyBits, out var c) ? c.KeySize : -1,
    };

    private static IkeKeymat Create(ICryptoFactory crypto, IRandomSource random, SelectedProposal selected, IPrf prf, IIkeCipher cipher,
        IIntegrity? integrity, byte[] skeyseed, byte[] ni, byte[] nr, ulong spiI, ulong spiR, bool isInitiator)
    {
        var keys = KeyDerivation.DeriveIkeKeys(prf, skeyseed, ni, nr, spiI, spiR, cipher.KeySize, integrity?.KeySize ?? 0);
        CryptographicOperations.ZeroMemory(skeyseed);
        return new IkeKeymat(crypto, random, selected, prf, keys, new EncryptedPayloadProtector(cipher, integrity, keys, isInitiator, random));
    }

    /// <summary>The PRF, cipher and (for non-AEAD ciphers) integrity transform of a negotiated IKE proposal.</summary>
    private static bool TryCreateTransforms(ICryptoFactory crypto, SelectedProposal selected, [NotNullWhen(true)] out IPrf? prf,
        [NotNullWhen(true)] out IIkeCipher? cipher, out IIntegrity? integrity, [NotNullWhen(false)] out string? reason)
    {
        integrity = null;
        cipher = null;
        reason = null;
        if (!crypto.TryCreatePrf(selected.Prf!.Value, out prf) ||
            !crypto.TryCreateCipher(selected.Encryption, selected.EncryptionKeyLength, out cipher))
        {
            reason = "negotiated transforms are not supported";
            return false;
        }
        if (!cipher.IsAead && !crypto.TryCreateIntegrity(selected.Integrity, out integrity))
        {
            reason = "negotiated integrity transform is not supported";
            return false;
        }
        return true;
    }
}
