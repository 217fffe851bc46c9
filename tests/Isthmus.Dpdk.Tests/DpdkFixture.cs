using Isthmus.Dpdk.Interop;

namespace Isthmus.Dpdk.Tests;

/// <summary>
/// The one EAL of the test process (EAL initialises once per process): anonymous memory (--no-huge),
/// in-memory, two net_ring ports (a net_ring port loops its TX back to its RX, so a test injects
/// packets with tx_burst and reads the engine's output with rx_burst) and an aesni_gcm cryptodev.
/// When DPDK cannot run here the tests skip with the reason; with CI=true or ISTHMUS_REQUIRE_DPDK=1
/// they fail instead, so CI cannot pass without exercising DPDK.
/// </summary>
public sealed class DpdkFixture : IDisposable
{
    public DpdkFixture()
    {
        SkipReason = DpdkEnvironment.UnavailableReason();
        if (SkipReason is not null)
        {
            return;
        }

        try
        {
            DpdkEnvironment.Initialize(new EalOptions
            {
                Lcores = "0",
                NoHugePages = true,
                MemoryMegabytes = 512,
                VirtualDevices = ["net_ring0", "net_ring1", "crypto_aesni_gcm0"],
            });
            PacketPool = MempoolHandle.CreatePacketPool("test_mbufs", 8191, 256);
            OpPool = MempoolHandle.CreateCryptoOpPool("test_ops", 4095, 128);
            Crypto = CryptoDevice.Open("crypto_aesni_gcm0");
            SessionPool = MempoolHandle.CreateSessionPool("test_sessions", Crypto, 1024);
            Crypto.Start(SessionPool);
            Clear = EthPort.Open("net_ring0", PacketPool);
            Cipher = EthPort.Open("net_ring1", PacketPool);
        }
        catch (DpdkException e)
        {
            SkipReason = $"DPDK could not start here: {e.Message}";
        }
    }

    public string? SkipReason { get; }

    public MempoolHandle PacketPool { get; } = null!;

    public MempoolHandle OpPool { get; } = null!;

    public MempoolHandle SessionPool { get; } = null!;

    public CryptoDevice Crypto { get; } = null!;

    public EthPort Clear { get; } = null!;

    public EthPort Cipher { get; } = null!;

    /// <summary>Skips (or, in CI, fails) the calling test when DPDK is unavailable.</summary>
    public void RequireDpdk()
    {
        if (SkipReason is null)
        {
            return;
        }

        bool required = Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable("ISTHMUS_REQUIRE_DPDK") == "1";
        if (required)
        {
            Assert.Fail($"DPDK is required here (CI or ISTHMUS_REQUIRE_DPDK=1): {SkipReason}");
        }

        Assert.Skip(SkipReason);
    }

    /// <summary>Sends frames into a ring port, to be received from it by the engine.</summary>
    public unsafe void Inject(EthPort port, IEnumerable<byte[]> frames)
    {
        nint* one = stackalloc nint[1];
        foreach (byte[] frame in frames)
        {
            nint m = Shim.PktmbufAlloc(PacketPool.DangerousGetHandle());
            Assert.NotEqual(nint.Zero, m);
            byte* data = Mbuf.Reset(m, (uint)frame.Length);
            frame.AsSpan().CopyTo(new Span<byte>(data, frame.Length));
            one[0] = m;
            Assert.Equal(1, Shim.EthTxBurst(port.PortId, 0, one, 1));
        }
    }

    /// <summary>Everything waiting in a ring port (what the engine transmitted on it), each frame's segments copied in order, then freed.</summary>
    public unsafe List<byte[]> Drain(EthPort port)
    {
        var frames = new List<byte[]>();
        nint* burst = stackalloc nint[32];
        int n;
        while ((n = Shim.EthRxBurst(port.PortId, 0, burst, 32)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                // Fragments the engine sends are chains (header mbuf + indirect data mbuf): copy every segment.
                byte[] frame = new byte[Mbuf.PacketLength(burst[i])];
                int offset = 0;
                for (nint segment = burst[i]; segment != nint.Zero; segment = Mbuf.Next(segment))
                {
                    int length = Mbuf.DataLength(segment);
                    new ReadOnlySpan<byte>(Mbuf.Data(segment), length).CopyTo(frame.AsSpan(offset));
                    offset += length;
                }

                Assert.Equal(frame.Length, offset);
                frames.Add(frame);
                Shim.PktmbufFree(burst[i]);
            }
        }

        return frames;
    }

    public void Dispose()
    {
        // Ports, pools and the device live for the process: EAL cannot be re-initialised, and the
        // OS reclaims DPDK memory at exit. Only the runtime directory of --file-prefix would outlive
        // the process (--no-huge rules out --in-memory), so it goes now.
        string runtimeDirectory = $"/var/run/dpdk/isthmus{Environment.ProcessId}";
        try
        {
            if (Directory.Exists(runtimeDirectory))
            {
                Directory.Delete(runtimeDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover directory is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Not root: EAL wrote under $XDG_RUNTIME_DIR or /tmp instead.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DpdkCollection : ICollectionFixture<DpdkFixture>
{
    public const string Name = "dpdk";
}
