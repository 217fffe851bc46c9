using System.Runtime.InteropServices;
using Isthmus.Dpdk.Interop;

namespace Isthmus.Dpdk.Engine;

/// <summary>
/// The arrays one poll loop works in, allocated once in native memory (stable addresses, no pinning,
/// no GC work per burst). Sized for one burst; the free list holds up to two bursts.
/// </summary>
internal sealed unsafe class BurstScratch : IDisposable
{
    public BurstScratch(int burst)
    {
        Burst = burst;
        Rx = Alloc<nint>(burst);
        Work = Alloc<nint>(burst);
        Grouped = Alloc<nint>(burst);
        Ops = Alloc<nint>(burst);
        Crypto = Alloc<nint>(burst);
        Tx = Alloc<nint>(burst * Isthmus.Esp.EspMtu.MaxFragments);
        Reply = Alloc<nint>(burst);
        Fragments = Alloc<nint>(Isthmus.Esp.EspMtu.MaxFragments);
        IcmpMessage = Alloc<byte>(Isthmus.Esp.PacketTooBig.MaxLength);
        Host = Alloc<nint>(burst);
        Free = Alloc<nint>(burst * 2);
        Groups = Alloc<IpsecGroup>(burst);
        AclInput4 = Alloc<nint>(burst);
        AclInput6 = Alloc<nint>(burst);
        AclResult4 = Alloc<uint>(burst);
        AclResult6 = Alloc<uint>(burst);
        AclIndex4 = Alloc<int>(burst);
        AclIndex6 = Alloc<int>(burst);
        Rank = Alloc<uint>(burst);
        Slot = Alloc<uint>(burst);
        SadKeys = Alloc<nint>(burst);
        SadResult = Alloc<nint>(burst);
        GroupSlot = Alloc<uint>(burst);
        GroupCount = Alloc<int>(burst);
        GroupStart = Alloc<int>(burst);
    }

    public int Burst { get; }

    public nint* Rx { get; }

    public nint* Work { get; }

    public nint* Grouped { get; }

    public nint* Ops { get; }

    public nint* Crypto { get; }

    /// <summary>Transmit list; room for every packet of a burst cut into the most fragments.</summary>
    public nint* Tx { get; }

    /// <summary>ICMP "too big" messages going back out of the clear port.</summary>
    public nint* Reply { get; }

    /// <summary>The fragments of one packet (rte_ipv4_fragment_packet output).</summary>
    public nint* Fragments { get; }

    /// <summary>Where an ICMP message is built before it replaces the packet it is about.</summary>
    public byte* IcmpMessage { get; }

    public nint* Host { get; }

    public nint* Free { get; }

    public IpsecGroup* Groups { get; }

    public nint* AclInput4 { get; }

    public nint* AclInput6 { get; }

    public uint* AclResult4 { get; }

    public uint* AclResult6 { get; }

    public int* AclIndex4 { get; }

    public int* AclIndex6 { get; }

    public uint* Rank { get; }

    public uint* Slot { get; }

    public nint* SadKeys { get; }

    public nint* SadResult { get; }

    public uint* GroupSlot { get; }

    public int* GroupCount { get; }

    public int* GroupStart { get; }

    public int FreeCount;

    public void Dispose()
    {
        foreach (nint p in new[] { (nint)Rx, (nint)Work, (nint)Grouped, (nint)Ops, (nint)Crypto, (nint)Tx, (nint)Reply, (nint)Fragments, (nint)IcmpMessage, (nint)Host, (nint)Free, (nint)Groups, (nint)AclInput4, (nint)AclInput6, (nint)AclResult4, (nint)AclResult6, (nint)AclIndex4, (nint)AclIndex6, (nint)Rank, (nint)Slot, (nint)SadKeys, (nint)SadResult, (nint)GroupSlot, (nint)GroupCount, (nint)GroupStart })
        {
            NativeMemory.AlignedFree((void*)p);
        }
    }

    private static T* Alloc<T>(int count)
        where T : unmanaged
    {
        nuint bytes = (nuint)(sizeof(T) * Math.Max(count, 1));
        void* p = NativeMemory.AlignedAlloc(bytes, 64);
        NativeMemory.Clear(p, bytes);
        return (T*)p;
    }
}
