namespace Isthmus.Esp;

/// <summary>
/// Byte and packet lifetimes of an SA (XFRM's <c>limit</c>): 0 means no limit. Bytes count the
/// inner (clear) packets. Reaching a soft limit raises a <see cref="SoftExpireEvent"/> once; reaching
/// a hard limit raises a <see cref="HardExpireEvent"/> and every further packet on the SA is dropped
/// with <see cref="DropReason.HardLifetime"/>.
/// </summary>
public sealed record EspLifetime(ulong SoftBytes, ulong HardBytes, ulong SoftPackets, ulong HardPackets)
{
    public static EspLifetime Unlimited { get; } = new(0, 0, 0, 0);

    public override string ToString() =>
        $"soft {Limit(SoftBytes)} bytes/{Limit(SoftPackets)} packets, hard {Limit(HardBytes)} bytes/{Limit(HardPackets)} packets";

    private static string Limit(ulong value) => value == 0 ? "inf" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
