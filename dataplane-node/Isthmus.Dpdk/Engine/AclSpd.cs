using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Isthmus.Dpdk.Interop;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>
/// One direction and address family of the SPD compiled into an rte_acl context: the result of a
/// lookup is the rank of the first matching policy plus one (0: no match). Immutable once built;
/// a policy change builds a new one and the engine swaps it in RCU-style.
/// </summary>
/// <remarks>
/// Input layout: the data pointer given to <see cref="Classify"/> points at the IP protocol octet
/// (IPv4 offset 9, IPv6 offset 6), as in DPDK's ipsec-secgw. IPv4: proto, source, destination
/// (ranges), source and destination ports at the offsets of an option-less header. IPv6: proto,
/// source and destination as four 32-bit mask fields each (ranges decomposed into prefixes),
/// ports after the fixed header. Packets with IPv4 options or IPv6 extension headers are looked up
/// by <see cref="SelectorMatcher"/> instead.
/// </remarks>
internal sealed unsafe class AclSpd : IDisposable
{
    private const int RuleHeaderSize = 16;
    private const int FieldSize = 16;
    private static int sequence;
    private nint context;

    private AclSpd(nint context, bool isIPv6)
    {
        this.context = context;
        IsIPv6 = isIPv6;
    }

    public bool IsIPv6 { get; }

    /// <summary>Offset of the ACL input pointer within the IP header.</summary>
    public static int InputOffset(bool isIPv6) => isIPv6 ? 6 : 9;

    /// <summary>Builds the context for <paramref name="ranked"/> (already in lookup order) of one family; null when none applies.</summary>
    public static AclSpd? Build(IReadOnlyList<EspPolicy> ranked, bool isIPv6, int socketId)
    {
        int fieldCount = isIPv6 ? 11 : 5;
        int ruleSize = RuleHeaderSize + (FieldSize * fieldCount);
        var rules = new List<byte[]>();
        for (int rank = 0; rank < ranked.Count; rank++)
        {
            EspPolicy policy = ranked[rank];
            if (policy.Selector.Source.IsIPv6 != isIPv6)
            {
                continue;
            }

            int priority = Acl.MaxPriority - rank;
            uint userData = (uint)rank + 1;
            if (isIPv6)
            {
                foreach ((UInt128 srcPrefix, int srcLength) in Prefixes(policy.Selector.Source))
                {
                    foreach ((UInt128 dstPrefix, int dstLength) in Prefixes(policy.Selector.Destination))
                    {
                        byte[] rule = new byte[ruleSize];
                        WriteHeader(rule, priority, userData);
                        WriteProtocol(rule, 0, policy.Selector.Protocol);
                        WriteIPv6(rule, 1, srcPrefix, srcLength);
                        WriteIPv6(rule, 5, dstPrefix, dstLength);
                        WriteRange16(rule, 9, policy.Selector.SourcePorts);
                        WriteRange16(rule, 10, policy.Selector.DestinationPorts);
                        rules.Add(rule);
                    }
                }
            }
            else
            {
                byte[] rule = new byte[ruleSize];
                WriteHeader(rule, priority, userData);
                WriteProtocol(rule, 0, policy.Selector.Protocol);
                WriteRange32(rule, 1, policy.Selector.Source);
                WriteRange32(rule, 2, policy.Selector.Destination);
                WriteRange16(rule, 3, policy.Selector.SourcePorts);
                WriteRange16(rule, 4, policy.Selector.DestinationPorts);
                rules.Add(rule);
            }
        }

        if (rules.Count == 0)
        {
            return null;
        }

        string name = $"isthmus_spd{Interlocked.Increment(ref sequence)}";
        byte[] nameBytes = Encoding.ASCII.GetBytes(name + "\0");
        nint ctx;
        fixed (byte* namePtr = nameBytes)
        {
            var param = new AclParam { Name = namePtr, SocketId = socketId, RuleSize = (uint)ruleSize, MaxRules = (uint)rules.Count };
            ctx = Acl.Create(&param);
        }

        if (ctx == nint.Zero)
        {
            throw new DpdkException($"rte_acl_create({name})", Shim.Errno());
        }

        try
        {
            byte[] all = new byte[ruleSize * rules.Count];
            for (int i = 0; i < rules.Count; i++)
            {
                rules[i].CopyTo(all, i * ruleSize);
            }

            fixed (byte* rulePtr = all)
            {
                int rc = Acl.AddRules(ctx, rulePtr, (uint)rules.Count);
                if (rc != 0)
                {
                    throw new DpdkException("rte_acl_add_rules", rc);
                }
            }

            AclConfig config = default;
            config.Categories = 1;
            config.FieldCount = (uint)fieldCount;
            Span<AclFieldDef> defs = MemoryMarshal.CreateSpan(ref config.FirstDef, 64);
            if (isIPv6)
            {
                // Relative to the next-header octet (IPv6 offset 6): source at 8, destination at 24, ports at 40.
                defs[0] = new AclFieldDef { Type = Acl.FieldTypeBitmask, Size = 1, FieldIndex = 0, InputIndex = 0, Offset = 0 };
                for (byte i = 0; i < 4; i++)
                {
                    defs[1 + i] = new AclFieldDef { Type = Acl.FieldTypeMask, Size = 4, FieldIndex = (byte)(1 + i), InputIndex = (byte)(1 + i), Offset = 2u + (4u * i) };
                    defs[5 + i] = new AclFieldDef { Type = Acl.FieldTypeMask, Size = 4, FieldIndex = (byte)(5 + i), InputIndex = (byte)(5 + i), Offset = 18u + (4u * i) };
                }

                defs[9] = new AclFieldDef { Type = Acl.FieldTypeRange, Size = 2, FieldIndex = 9, InputIndex = 9, Offset = 34 };
                defs[10] = new AclFieldDef { Type = Acl.FieldTypeRange, Size = 2, FieldIndex = 10, InputIndex = 9, Offset = 36 };
            }
            else
            {
                // Relative to the protocol octet (IPv4 offset 9): source at 12, destination at 16, ports at 20.
                defs[0] = new AclFieldDef { Type = Acl.FieldTypeBitmask, Size = 1, FieldIndex = 0, InputIndex = 0, Offset = 0 };
                defs[1] = new AclFieldDef { Type = Acl.FieldTypeRange, Size = 4, FieldIndex = 1, InputIndex = 1, Offset = 3 };
                defs[2] = new AclFieldDef { Type = Acl.FieldTypeRange, Size = 4, FieldIndex = 2, InputIndex = 2, Offset = 7 };
                defs[3] = new AclFieldDef { Type = Acl.FieldTypeRange, Size = 2, FieldIndex = 3, InputIndex = 3, Offset = 11 };
                defs[4] = new AclFieldDef { Type = Acl.FieldTypeRange, Size = 2, FieldIndex = 4, InputIndex = 3, Offset = 13 };
            }

            int built = Acl.Build(ctx, &config);
            if (built != 0)
            {
                throw new DpdkException("rte_acl_build", built);
            }
        }
        catch
        {
            Acl.Free(ctx);
            throw;
        }

        return new AclSpd(ctx, isIPv6);
    }

    /// <summary>Classifies <paramref name="count"/> packets; <paramref name="inputs"/> point at each packet's protocol octet.</summary>
    public void Classify(byte** inputs, uint* results, int count)
    {
        _ = Acl.Classify(context, inputs, results, (uint)count, 1);
    }

    public void Dispose()
    {
        if (context != nint.Zero)
        {
            Acl.Free(context);
            context = nint.Zero;
        }
    }

    private static void WriteHeader(byte[] rule, int priority, uint userData)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(rule.AsSpan(0), 1); // category_mask
        BinaryPrimitives.WriteInt32LittleEndian(rule.AsSpan(4), priority);
        BinaryPrimitives.WriteUInt32LittleEndian(rule.AsSpan(8), userData);
    }

    private static Span<byte> Field(byte[] rule, int index) => rule.AsSpan(RuleHeaderSize + (index * FieldSize), FieldSize);

    private static void WriteProtocol(byte[] rule, int index, byte protocol)
    {
        Span<byte> field = Field(rule, index);
        field[0] = protocol;
        field[8] = protocol == 0 ? (byte)0 : (byte)0xFF;
    }

    private static void WriteRange32(byte[] rule, int index, IpAddressRange range)
    {
        Span<byte> field = Field(rule, index);
        BinaryPrimitives.WriteUInt32LittleEndian(field, (uint)IpAddressRange.ToUInt128(range.Start));
        BinaryPrimitives.WriteUInt32LittleEndian(field[8..], (uint)IpAddressRange.ToUInt128(range.End));
    }

    private static void WriteRange16(byte[] rule, int index, PortRange range)
    {
        Span<byte> field = Field(rule, index);
        BinaryPrimitives.WriteUInt16LittleEndian(field, range.Start);
        BinaryPrimitives.WriteUInt16LittleEndian(field[8..], range.End);
    }

    private static void WriteIPv6(byte[] rule, int firstIndex, UInt128 prefix, int length)
    {
        for (int i = 0; i < 4; i++)
        {
            Span<byte> field = Field(rule, firstIndex + i);
            uint word = (uint)(prefix >> (96 - (32 * i)));
            int bits = Math.Clamp(length - (32 * i), 0, 32);
            BinaryPrimitives.WriteUInt32LittleEndian(field, word);
            BinaryPrimitives.WriteUInt32LittleEndian(field[8..], (uint)bits);
        }
    }

    /// <summary>The smallest set of CIDR prefixes that covers exactly an IPv6 address range.</summary>
    internal static List<(UInt128 Prefix, int Length)> Prefixes(IpAddressRange range)
    {
        var prefixes = new List<(UInt128, int)>();
        UInt128 start = IpAddressRange.ToUInt128(range.Start);
        UInt128 end = IpAddressRange.ToUInt128(range.End);
        if (start == UInt128.Zero && end == UInt128.MaxValue)
        {
            prefixes.Add((UInt128.Zero, 0));
            return prefixes;
        }

        while (true)
        {
            // The largest aligned block starting at `start` that stays within the range.
            int size = start == UInt128.Zero ? 127 : int.Min(127, (int)UInt128.TrailingZeroCount(start));
            while (size > 0 && start + ((UInt128.One << size) - 1) > end)
            {
                size--;
            }

            prefixes.Add((start, 128 - size));
            UInt128 last = start + ((UInt128.One << size) - 1);
            if (last >= end)
            {
                return prefixes;
            }

            start = last + 1;
        }
    }
}
