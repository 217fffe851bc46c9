using System.Runtime.InteropServices;
using Isthmus.Dpdk.Interop;

namespace Isthmus.Dpdk;

/// <summary>A symmetric crypto session on a device; holds a reference on its session pool until freed.</summary>
internal sealed unsafe class CryptoSessionHandle : SafeHandle
{
    private readonly MempoolHandle pool;
    private readonly byte deviceId;

    private CryptoSessionHandle(nint session, byte deviceId, MempoolHandle pool)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(session);
        this.deviceId = deviceId;
        this.pool = pool;
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>rte_cryptodev_sym_session_create with the xform chain (keys are copied into the session by the PMD).</summary>
    public static CryptoSessionHandle Create(CryptoDevice device, CryptoSymXform* xforms, MempoolHandle pool)
    {
        bool added = false;
        pool.DangerousAddRef(ref added);
        nint session = Cryptodev.SymSessionCreate(device.DeviceId, xforms, pool.DangerousGetHandle());
        if (session == nint.Zero)
        {
            int error = Shim.Errno();
            pool.DangerousRelease();
            throw new DpdkException($"rte_cryptodev_sym_session_create({device.Name})", error == 0 ? -22 : error);
        }

        return new CryptoSessionHandle(session, device.DeviceId, pool);
    }

    protected override bool ReleaseHandle()
    {
        _ = Cryptodev.SymSessionFree(deviceId, handle);
        pool.DangerousRelease();
        return true;
    }
}
