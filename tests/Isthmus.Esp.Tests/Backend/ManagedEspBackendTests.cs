using System.Net;
using Microsoft.Extensions.Time.Testing;
using static Isthmus.Esp.Tests.TestPackets;

namespace Isthmus.Esp.Tests.Backend;

public sealed class ManagedEspBackendTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly EspPolicySelector LanToLan = EspPolicySelector.Between(IpAddressRange.FromCidr("10.1.0.0/16"), IpAddressRange.FromCidr("10.2.0.0/16"));

    [Fact]
    [Trait("RFC", "4301 5.1")]
    public async Task Outbound_packet_matching_a_protect_policy_is_encrypted_and_counted()
    {
        await using var backend = new ManagedEspBackend();
        Assert.True((await backend.AddSaAsync(Sa(EspDirection.Outbound), Ct)).IsOk);
        Assert.True((await backend.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x1000, 10), Ct)).IsOk);

        var output = new byte[2000];
        var inner = Udp4();
        var result = backend.ProcessOutbound(inner, output, out int written);

        Assert.Equal(new PacketResult(PacketAction.Forward, DropReason.None, 0x1000), result);
        Assert.Equal(50, output[9]);
        var counters = (await backend.GetCountersAsync(Ct)).Sas.Single();
        Assert.Equal(1UL, counters.Packets);
        Assert.Equal((ulong)inner.Length, counters.Bytes);
        Assert.True(written > inner.Length);
    }

    [Fact]
    [Trait("RFC", "4301 4.4.1")]
    public async Task Policies_are_matched_by_priority_and_bypass_discard_and_no_policy_are_distinguished()
    {
        await using var backend = new ManagedEspBackend();
        await backend.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, LanToLan, PolicyAction.Discard, 0, 20), Ct);
        var dns = new EspPolicySelector(IpAddressRange.FromCidr("10.1.0.0/16"), IpAddressRange.FromCidr("10.2.0.0/16"), 17, PortRange.Any, PortRange.Single(53));
        await backend.AddPolicyAsync(new EspPolicy(2, PolicyDirection.Out, dns, PolicyAction.Bypass, 0, 10), Ct);
        var output = new byte[2000];

        Assert.Equal(PacketAction.Bypass, backend.ProcessOutbound(Udp4(dport: 53), output, out _).Action);
        Assert.Equal(DropReason.PolicyDiscard, backend.ProcessOutbound(Udp4(dport: 54), output, out _).Reason);
        Assert.Equal(DropReason.NoPolicy, backend.ProcessOutbound(Udp4("10.9.0.1", "10.2.0.1"), output, out _).Reason);
        Assert.Equal(DropReason.Malformed, backend.ProcessOutbound(new byte[] { 0x45, 0, 0 }, output, out _).Reason);

        var global = (await backend.GetCountersAsync(Ct)).GlobalDrops;
        Assert.Equal(1UL, global[DropReason.PolicyDiscard]);
        Assert.Equal(1UL, global[DropReason.NoPolicy]);
        Assert.Equal(1UL, (await backend.GetCountersAsync(Ct)).BypassPackets);
    }

    [Fact]
    [Trait("RFC", "4301 4.4.1")]
    public async Task Protect_policy_without_sa_raises_one_acquire_per_interval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        await using var backend = new ManagedEspBackend(clock);
        await backend.AddPolicyAsync(new EspPolicy(7, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x5555, 1), Ct);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reader = backend.ReadEventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var first = reader.MoveNextAsync();

        var output = new byte[2000];
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(DropReason.NoSa, backend.ProcessOutbound(Udp4(), output, out _).Reason);
        }

        Assert.True(await first);
        var acquire = Assert.IsType<AcquireEvent>(reader.Current);
        Assert.Equal(7u, acquire.PolicyId);
        Assert.Equal(IPAddress.Parse("10.1.0.5"), acquire.Flow.Source);
        Assert.Equal(53, acquire.Flow.DestinationPort);

        clock.Advance(TimeSpan.FromSeconds(2));
        backend.ProcessOutbound(Udp4(), output, out _);
        Assert.True(await reader.MoveNextAsync());
        Assert.IsType<AcquireEvent>(reader.Current);
        Assert.Equal(6UL, (await backend.GetCountersAsync(Ct)).GlobalDrops[DropReason.NoSa]);
        await reader.DisposeAsync();
    }

    [Fact]
    public async Task Soft_then_hard_packet_lifetime_raise_events_and_the_hard_limit_drops()
    {
        await using var backend = new ManagedEspBackend();
        await backend.AddSaAsync(Sa(EspDirection.Outbound, lifetime: new EspLifetime(0, 0, 2, 3)), Ct);
        await backend.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x1000, 1), Ct);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reader = backend.ReadEventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = reader.MoveNextAsync();

        var output = new byte[2000];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(PacketAction.Forward, backend.ProcessOutbound(Udp4(), output, out _).Action);
        }

        Assert.Equal(DropReason.HardLifetime, backend.ProcessOutbound(Udp4(), output, out _).Reason);

        Assert.True(await next);
        Assert.Equal(new SoftExpireEvent(reader.Current.Time, 0x1000, EspDirection.Outbound, LifetimeKind.Packets), reader.Current);
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal(new HardExpireEvent(reader.Current.Time, 0x1000, EspDirection.Outbound, LifetimeKind.Packets), reader.Current);
        var sa = (await backend.ListSasAsync(Ct)).Single();
        Assert.True(sa.SoftExpired);
        Assert.True(sa.HardExpired);
        Assert.Equal(1UL, (await backend.GetCountersAsync(Ct)).Sas.Single().Drops[DropReason.HardLifetime]);
        await reader.DisposeAsync();
    }

    [Fact]
    public async Task Inbound_esp_is_decrypted_and_failures_are_counted_on_the_sa()
    {
        await using var sender = new ManagedEspBackend();
        await using var receiver = new ManagedEspBackend();
        await sender.AddSaAsync(Sa(EspDirection.Outbound, udp: UdpEncapsulation.Default), Ct);
        await sender.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x1000, 1), Ct);
        await receiver.AddSaAsync(Sa(EspDirection.Inbound, udp: UdpEncapsulation.Default), Ct);
        var packet = new byte[2000];
        var clear = new byte[2000];
        var inner = Udp4();
        Assert.Equal(PacketAction.Forward, sender.ProcessOutbound(inner, packet, out int written).Action);

        var result = receiver.ProcessInbound(packet.AsSpan(0, written), clear, out int innerLength);
        Assert.Equal(new PacketResult(PacketAction.Forward, DropReason.None, 0x1000), result);
        Assert.Equal(inner, clear.AsSpan(0, innerLength).ToArray());
        Assert.Equal(DropReason.Replay, receiver.ProcessInbound(packet.AsSpan(0, written), clear, out _).Reason);

        await receiver.DeleteSaAsync(0x1000, EspDirection.Inbound, Ct);
        Assert.Equal(DropReason.UnknownSpi, receiver.ProcessInbound(packet.AsSpan(0, written), clear, out _).Reason);
        Assert.Equal(1UL, (await receiver.GetCountersAsync(Ct)).GlobalDrops[DropReason.UnknownSpi]);
    }

    [Fact]
    public async Task Clear_packet_matching_an_inbound_protect_policy_is_not_accepted()
    {
        await using var backend = new ManagedEspBackend();
        var fromPeerLan = EspPolicySelector.Between(IpAddressRange.FromCidr("10.2.0.0/16"), IpAddressRange.FromCidr("10.1.0.0/16"));
        await backend.AddPolicyAsync(new EspPolicy(3, PolicyDirection.In, fromPeerLan, PolicyAction.Protect, 0, 1), Ct);
        var output = new byte[2000];
        Assert.Equal(DropReason.NotProtected, backend.ProcessInbound(Udp4("10.2.0.1", "10.1.0.1"), output, out _).Reason);
        Assert.Equal(PacketAction.Bypass, backend.ProcessInbound(Udp4("10.7.0.1", "10.1.0.1"), output, out _).Action);

        byte[] keepalive = Udp4("198.51.100.2", "192.0.2.1", payload: 1, sport: 4500, dport: 4500);
        keepalive[^1] = 0xFF;
        Assert.Equal(PacketAction.ToHost, backend.ProcessInbound(keepalive, output, out _).Action);
    }

    [Fact]
    public async Task Update_keeps_counters_and_sequence_number_and_refuses_unknown_sa()
    {
        await using var backend = new ManagedEspBackend();
        await backend.AddSaAsync(Sa(EspDirection.Outbound), Ct);
        await backend.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x1000, 1), Ct);
        var output = new byte[2000];
        backend.ProcessOutbound(Udp4(), output, out _);
        backend.ProcessOutbound(Udp4(), output, out _);

        Assert.True((await backend.UpdateSaAsync(Sa(EspDirection.Outbound, udp: UdpEncapsulation.Default), Ct)).IsOk);
        backend.ProcessOutbound(Udp4(), output, out _);

        var sa = (await backend.ListSasAsync(Ct)).Single();
        Assert.Equal(3UL, sa.SequenceNumber);
        Assert.Equal(UdpEncapsulation.Default, sa.Encapsulation);
        Assert.Equal(3UL, (await backend.GetCountersAsync(Ct)).Sas.Single().Packets);
        Assert.Equal(ControlError.NotFound, (await backend.UpdateSaAsync(Sa(EspDirection.Outbound, spi: 0x9999), Ct)).Error);
    }

    [Fact]
    public async Task Duplicate_and_invalid_sas_are_refused_with_a_typed_error_that_holds_no_key()
    {
        await using var backend = new ManagedEspBackend();
        var sa = Sa(EspDirection.Inbound);
        Assert.True((await backend.AddSaAsync(sa, Ct)).IsOk);
        Assert.Equal(ControlError.AlreadyExists, (await backend.AddSaAsync(sa, Ct)).Error);

        var badKey = new EspSa
        {
            Spi = 0x2000, Direction = EspDirection.Inbound, TunnelSource = sa.TunnelSource, TunnelDestination = sa.TunnelDestination,
            Encryption = EspEncryptionAlgorithm.AesGcm16_128, EncryptionKey = Key(16, 0xA0),
        };
        var result = await backend.AddSaAsync(badKey, Ct);
        Assert.Equal(ControlError.Invalid, result.Error);
        Assert.DoesNotContain(Convert.ToHexString(Key(16, 0xA0)), result.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ControlError.NotFound, (await backend.DeleteSaAsync(0x2000, EspDirection.Inbound, Ct)).Error);
        Assert.Equal(ControlError.Invalid, (await backend.AddPolicyAsync(new EspPolicy(0, PolicyDirection.Out, LanToLan, PolicyAction.Bypass, 0, 1), Ct)).Error);
    }

    [Fact]
    public void Sa_to_string_never_shows_keys()
    {
        var sa = Sa(EspDirection.Outbound, EspEncryptionAlgorithm.AesCbc128, EspIntegrityAlgorithm.HmacSha2_256_128);
        string text = sa.ToString() + sa.ToSummary();
        Assert.DoesNotContain(Convert.ToHexString(sa.EncryptionKey.Span), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToHexString(sa.IntegrityKey.Span), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Key", sa.ToSummary().ToString(), StringComparison.Ordinal);
        Assert.Contains("spi 0x00001000", sa.ToString(), StringComparison.Ordinal);
    }
}
