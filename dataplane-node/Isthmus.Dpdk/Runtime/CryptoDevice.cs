using Isthmus.Dpdk.Interop;

namespace Isthmus.Dpdk;

/// <summary>
/// A started cryptodev (crypto_aesni_gcm, crypto_aesni_mb, crypto_openssl or a hardware PMD) with
/// its queue pairs. Sessions are created against a session pool (see <see cref="MempoolHandle.CreateSessionPool"/>).
/// </summary>
public sealed unsafe class CryptoDevice : IDisposable
{
    private bool started;
    private bool disposed;

    private CryptoDevice(byte deviceId, string name, ushort queuePairs)
    {
        DeviceId = deviceId;
        Name = name;
        QueuePairs = queuePairs;
    }

    public byte DeviceId { get; }

    public string Name { get; }

    public ushort QueuePairs { get; }

    /// <summary>Finds the device named <paramref name="name"/> (e.g. "crypto_aesni_gcm0") and configures its queue pairs; call <see cref="Start"/> next.</summary>
    public static CryptoDevice Open(string name, ushort queuePairs = 1)
    {
        ArgumentNullException.ThrowIfNull(name);
        int id = Cryptodev.GetDevId(name);
        if (id < 0)
        {
            throw new DpdkException($"rte_cryptodev_get_dev_id({name}): no such crypto device (give it to EAL with --vdev {name})");
        }

        var config = new CryptodevConfig { SocketId = Cryptodev.SocketId((byte)id), QueuePairs = queuePairs };
        int rc = Cryptodev.Configure((byte)id, &config);
        if (rc < 0)
        {
            throw new DpdkException($"rte_cryptodev_configure({name})", rc);
        }

        return new CryptoDevice((byte)id, name, queuePairs);
    }

    /// <summary>Opens crypto device <paramref name="deviceId"/> (numbered in the order EAL found them).</summary>
    public static CryptoDevice Open(byte deviceId, ushort queuePairs = 1)
    {
        byte* name = Cryptodev.NameGet(deviceId);
        if (name == null)
        {
            throw new DpdkException($"rte_cryptodev_name_get({deviceId}): no such crypto device");
        }

        return Open(System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)name)!, queuePairs);
    }

    /// <summary>Sets up every queue pair with <paramref name="descriptors"/> entries and starts the device.</summary>
    public void Start(MempoolHandle sessionPool, uint descriptors = 2048)
    {
        ArgumentNullException.ThrowIfNull(sessionPool);
        ObjectDisposedException.ThrowIf(disposed, this);
        var qp = new CryptodevQpConf { Descriptors = descriptors, SessionPool = sessionPool.DangerousGetHandle() };
        for (ushort i = 0; i < QueuePairs; i++)
        {
            int rc = Cryptodev.QueuePairSetup(DeviceId, i, &qp, Cryptodev.SocketId(DeviceId));
            if (rc < 0)
            {
                throw new DpdkException($"rte_cryptodev_queue_pair_setup({Name}, {i})", rc);
            }
        }

        int started_ = Cryptodev.Start(DeviceId);
        if (started_ < 0)
        {
            throw new DpdkException($"rte_cryptodev_start({Name})", started_);
        }

        started = true;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (started)
        {
            Cryptodev.Stop(DeviceId);
        }
    }
}
