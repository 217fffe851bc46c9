namespace Isthmus.Esp;

/// <summary>
/// One traffic selector of an SA (RFC 7296 §3.13.1, RFC 4301 §4.4.2): an address range, an IP
/// protocol (0 = any) and a port range. The dataplane checks every decrypted inner packet against
/// the SA's local and remote selector lists.
/// </summary>
public sealed record EspTrafficSelector(IpAddressRange Addresses, byte Protocol, PortRange Ports)
{
    /// <summary>Any protocol and port within <paramref name="addresses"/>.</summary>
    public static EspTrafficSelector For(IpAddressRange addresses) => new(addresses, 0, PortRange.Any);

    public override string ToString() =>
        Protocol == 0 && Ports.IsAny ? Addresses.ToString() : $"{Addresses}[{Protocol}/{Ports}]";
}
