namespace Isthmus.Ike.Crypto;

/// <summary>
/// Where the IKE core takes its random octets from: SPIs, nonces, IVs, key-exchange private
/// values and the jitter of rekey times. The core gets one through its constructors and never
/// calls a global generator, so two runs with the same seeded source send the same bytes.
/// <see cref="SystemRandomSource"/> is the implementation Isthmus runs with; the SPI and nonce
/// rules are in <see cref="RandomSourceExtensions"/>, written once for every source.
/// </summary>
public interface IRandomSource
{
    /// <summary>Fills <paramref name="destination"/> with random octets.</summary>
    void Fill(Span<byte> destination);
}
