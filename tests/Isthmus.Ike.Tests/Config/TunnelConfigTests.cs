using System.Net;
using System.Text;
using Isthmus.Ike.Config;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Config;

public class TunnelConfigTests
{
    private const string Psk = "s3cret-PSK-value-never-printed";

    private static TunnelConfig Sample() => new()
    {
        Name = "default/hq-to-branch",
        LocalAddress = IPAddress.Parse("192.0.2.10"),
        PeerHost = "198.51.100.20",
        PeerAddress = IPAddress.Parse("198.51.100.20"),
        LocalId = IkeIdentity.Parse(IdType.Fqdn, "hq.example.com"),
        PeerId = IkeIdentity.Parse(IdType.Fqdn, "branch.example.com"),
        Psk = Encoding.UTF8.GetBytes(Psk),
        IkeProposals = [ProposalParser.Parse("aes256gcm16-prfsha384-ecp384", ProtocolId.Ike)],
        EspProposals = [ProposalParser.Parse("aes128gcm16-esn", ProtocolId.Esp)],
        LocalTs = [new TrafficSelector(TsType.Ipv4AddrRange, 0, 0, 65535, IPAddress.Parse("10.1.0.0"), IPAddress.Parse("10.1.255.255"))],
        RemoteTs = [new TrafficSelector(TsType.Ipv4AddrRange, 6, 443, 443, IPAddress.Parse("10.2.0.5"), IPAddress.Parse("10.2.0.9"))],
        ChildName = "lan",
    };

    [Fact]
    public void ToString_summarises_the_tunnel_and_redacts_the_psk()
    {
        var text = Sample().ToString();
        Assert.Equal(
            "default/hq-to-branch: 192.0.2.10 -> 198.51.100.20[500], Initiate, local id 'hq.example.com', peer id 'branch.example.com', " +
            "auth psk=<redacted>, ike [AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384], child 'lan' esp [AES_GCM_16_128/EXT_SEQ], " +
            "ts 10.1.0.0/16 === 10.2.0.5..10.2.0.9[tcp/443]",
            text);
        Assert.DoesNotContain(Psk, text);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Psk)), text);
        Assert.DoesNotContain(Convert.ToHexString(Encoding.UTF8.GetBytes(Psk)), text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Defaults_are_strong_and_lifetimes_exceed_rekey_times()
    {
        var config = Sample();
        Assert.Equal(TimeSpan.FromHours(4), config.IkeRekeyTime);
        Assert.Equal(TimeSpan.FromHours(4.4), config.IkeLifetime);
        Assert.Equal(TimeSpan.FromHours(1), config.ChildRekeyTime);
        Assert.Equal(TimeSpan.FromMinutes(66), config.ChildLifetime);
        Assert.Equal(TimeSpan.FromSeconds(30), config.DpdDelay);
        Assert.Equal(32u, config.ReplayWindow);
        Assert.All(TunnelDefaults.IkeProposals, p => Assert.Empty(WeakAlgorithms.Find(ProposalParser.Parse(p, ProtocolId.Ike))));
        Assert.All(TunnelDefaults.EspProposals, p => Assert.Empty(WeakAlgorithms.Find(ProposalParser.Parse(p, ProtocolId.Esp))));
    }
}
