using System.Diagnostics.CodeAnalysis;
using Isthmus.Ike.Config;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;
using Isthmus.Ike.Tests.Crypto;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// The IKE core takes its randomness and its transforms from what it is given, never from a global
/// (RFC 7296 §2.10 nonces, §3.4 key exchange). With seeded sources a whole tunnel's life is
/// repeatable, byte for byte:
/// <code>
/// HDR, SAi1, KEi, Ni  --&gt;  &lt;--  HDR, SAr1, KEr, Nr                        IKE_SA_INIT
/// HDR, SK {IDi, AUTH, SAi2, TSi, TSr}  --&gt;  &lt;--  HDR, SK {IDr, AUTH, ...}  IKE_AUTH
/// HDR, SK {N(REKEY_SA), SA, Ni, KEi, TSi, TSr}  --&gt;  &lt;--  ...             Child SA rekey (PFS), then D(ESP)
/// HDR, SK {SA, Ni, KEi}  --&gt;  &lt;--  HDR, SK {SA, Nr, KEr}                   IKE SA rekey, then D(IKE)
/// </code>
/// </summary>
public class InjectedCryptoAndRandomnessTests
{
    /// <summary>Rekey timers scaled by <paramref name="factor"/>: the responder's are ten times the initiator's, so only the initiator rekeys.</summary>
    private static TunnelConfig Timers(TunnelConfig c, double factor) => new()
    {
        Name = c.Name, PeerHost = c.PeerHost, PeerAddress = c.PeerAddress, LocalId = c.LocalId, PeerId = c.PeerId, Psk = c.Psk,
        IkeProposals = c.IkeProposals, EspProposals = c.EspProposals, LocalTs = c.LocalTs, RemoteTs = c.RemoteTs,
        StartAction = c.StartAction, ChildName = c.ChildName,
        IkeRekeyTime = TimeSpan.FromHours(4 * factor), ChildRekeyTime = TimeSpan.FromHours(factor), DpdDelay = TimeSpan.FromSeconds(30),
    };

    /// <summary>Curve25519 throughout: its private values come from the injected source (ECP key pairs come from the platform).</summary>
    private static List<byte[]> Run(int initiatorSeed, int responderSeed)
    {
        var standard = SaPair.Standard("aes256gcm16-prfsha256-curve25519", "aes128gcm16-curve25519");
        var pair = new SaPair(Timers(standard.InitiatorConfig, 1), Timers(standard.ResponderConfig, 10), null,
            new SeededRandomSource(initiatorSeed), new SeededRandomSource(responderSeed));
        var sent = new List<byte[]>();
        void Deliver()
        {
            while (pair.Wire.Count > 0) sent.Add(pair.DeliverOne().Data);
        }

        pair.Start();
        Deliver();
        pair.Advance(TimeSpan.FromSeconds(30)); // DPD
        Deliver();
        pair.Advance(TimeSpan.FromHours(1));
        Deliver();
        pair.Advance(TimeSpan.FromHours(3));
        Deliver();
        Assert.Equal(2, pair.InitiatorSa!.RekeyCount); // the Child SA, then the IKE SA
        return sent;
    }

    [Fact]
    [Trait("RFC", "7296 2.10")]
    public void Two_runs_with_the_same_seeds_send_the_same_bytes()
    {
        var first = Run(1, 2);
        var second = Run(1, 2);

        Assert.True(first.Count >= 12, $"{first.Count} datagrams");
        Assert.Equal(first.Count, second.Count);
        for (var k = 0; k < first.Count; k++) Assert.Equal(first[k], second[k]);
        Assert.NotEqual(first[0], Run(3, 2)[0]);
    }

    /// <summary>A factory that creates through <see cref="CryptoRegistry"/> and records the key exchanges it was asked for.</summary>
    private sealed class RecordingFactory : ICryptoFactory
    {
        private readonly CryptoRegistry _inner = new();
        public List<DhGroup> KeyExchanges { get; } = [];

        public bool TryCreatePrf(PrfAlgorithm algorithm, [NotNullWhen(true)] out IPrf? prf) => _inner.TryCreatePrf(algorithm, out prf);

        public bool TryCreateIntegrity(IntegrityAlgorithm algorithm, [NotNullWhen(true)] out IIntegrity? integrity) =>
            _inner.TryCreateIntegrity(algorithm, out integrity);

        public bool TryCreateCipher(EncryptionAlgorithm algorithm, int keyLengthBits, [NotNullWhen(true)] out IIkeCipher? cipher) =>
            _inner.TryCreateCipher(algorithm, keyLengthBits, out cipher);

        public bool TryCreateKeyExchange(DhGroup group, [NotNullWhen(true)] out IKeyExchange? keyExchange)
        {
            KeyExchanges.Add(group);
            return _inner.TryCreateKeyExchange(group, out keyExchange);
        }

        public bool IsSupported(DhGroup group) => _inner.IsSupported(group);
    }

    [Fact]
    [Trait("RFC", "7296 3.4")]
    public void Every_key_pair_of_both_roles_comes_from_the_injected_factory()
    {
        var standard = SaPair.Standard("aes256gcm16-prfsha384-ecp384", "aes128gcm16-ecp256");
        var initiator = new RecordingFactory();
        var responder = new RecordingFactory();
        var pair = new SaPair(Timers(standard.InitiatorConfig, 1), Timers(standard.ResponderConfig, 10),
            initiatorCrypto: initiator, responderCrypto: responder);

        pair.Start();
        pair.Run();
        pair.Advance(TimeSpan.FromHours(1)); // Child SA rekey with PFS
        pair.Run();

        Assert.Equal(1, pair.InitiatorSa!.RekeyCount);
        Assert.Equal([DhGroup.Ecp384, DhGroup.Ecp256], initiator.KeyExchanges); // IKE_SA_INIT, then CREATE_CHILD_SA as initiator
        Assert.Equal([DhGroup.Ecp384, DhGroup.Ecp256], responder.KeyExchanges); // the same as responder
    }
}
