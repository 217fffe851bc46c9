namespace Isthmus.Esp;

/// <summary>
/// A dataplane backend: the SAD, the SPD, counters and events, as the control API drives them
/// (XFRM's state/policy/stats/monitor). Implemented by the managed backend (.NET crypto)
/// and by the DPDK engine. Control calls are thread-safe and may run concurrently with the packet
/// path; they report refusals through <see cref="ControlResult"/> and do not throw for bad input.
/// </summary>
public interface IEspBackend : IAsyncDisposable
{
    /// <summary>Short name for logs and the CLI, e.g. "managed" or "dpdk".</summary>
    string Name { get; }

    /// <summary>Installs an SA. Refused when invalid or when an SA with its SPI and direction exists.</summary>
    ValueTask<ControlResult> AddSaAsync(EspSa sa, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces an existing SA (same SPI and direction), e.g. new lifetimes or a new outer address
    /// after a NAT mapping change. Counters are kept; the sequence number and replay window are kept
    /// unless <see cref="EspSa.InitialSequenceNumber"/> is set.
    /// </summary>
    ValueTask<ControlResult> UpdateSaAsync(EspSa sa, CancellationToken cancellationToken = default);

    /// <summary>Removes an SA; its counters go with it.</summary>
    ValueTask<ControlResult> DeleteSaAsync(uint spi, EspDirection direction, CancellationToken cancellationToken = default);

    /// <summary>Adds an SPD entry. Refused when invalid or when its id is taken.</summary>
    ValueTask<ControlResult> AddPolicyAsync(EspPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>Removes an SPD entry by id.</summary>
    ValueTask<ControlResult> DeletePolicyAsync(uint policyId, CancellationToken cancellationToken = default);

    /// <summary>The installed SAs, without keys, ordered by direction then SPI.</summary>
    ValueTask<IReadOnlyList<EspSaSummary>> ListSasAsync(CancellationToken cancellationToken = default);

    /// <summary>The SPD, in lookup order per direction.</summary>
    ValueTask<IReadOnlyList<EspPolicy>> ListPoliciesAsync(CancellationToken cancellationToken = default);

    /// <summary>A snapshot of all counters.</summary>
    ValueTask<CounterSnapshot> GetCountersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Events from now on (soft/hard expiry, acquire) until <paramref name="cancellationToken"/> fires
    /// or the backend is disposed. Every reader gets every event; a reader that falls more than
    /// <see cref="DataplaneEventHub.Capacity"/> events behind loses the oldest.
    /// </summary>
    IAsyncEnumerable<DataplaneEvent> ReadEventsAsync(CancellationToken cancellationToken = default);
}
