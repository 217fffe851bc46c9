namespace Isthmus.Dpdk.Tests;

[Collection(DpdkCollection.Name)]
public sealed class EalTests(DpdkFixture fixture)
{
    [Fact]
    public void Eal_starts_in_memory_without_hugepages_with_ring_ports_and_an_aesni_gcm_device()
    {
        fixture.RequireDpdk();

        Assert.True(DpdkEnvironment.IsInitialized);
        Assert.Contains("--no-huge", DpdkEnvironment.Arguments);
        Assert.Contains("--file-prefix", DpdkEnvironment.Arguments);
        Assert.Equal(6, fixture.Clear.MacAddress.Length);
        Assert.NotEqual(fixture.Clear.PortId, fixture.Cipher.PortId);
        Assert.Equal("crypto_aesni_gcm0", fixture.Crypto.Name);
        Assert.True(fixture.PacketPool.Available > 0);
    }

    [Fact]
    public void Second_initialisation_with_other_arguments_is_refused()
    {
        fixture.RequireDpdk();

        var e = Assert.Throws<DpdkException>(() => DpdkEnvironment.Initialize(new EalOptions { Lcores = "0", VirtualDevices = ["net_null0"] }));
        Assert.Contains("already initialised", e.Message);
    }

    [Fact]
    public void Unknown_crypto_device_is_a_typed_error()
    {
        fixture.RequireDpdk();

        var e = Assert.Throws<DpdkException>(() => CryptoDevice.Open("crypto_missing9"));
        Assert.Contains("--vdev crypto_missing9", e.Message);
    }

    [Fact]
    public void Ring_port_loops_injected_frames_back()
    {
        fixture.RequireDpdk();
        fixture.Drain(fixture.Clear);

        byte[] frame = TestPackets.Frame(TestPackets.InnerIPv4(100));
        fixture.Inject(fixture.Clear, [frame]);

        List<byte[]> received = fixture.Drain(fixture.Clear);
        Assert.Single(received);
        Assert.Equal(frame, received[0]);
    }
}
