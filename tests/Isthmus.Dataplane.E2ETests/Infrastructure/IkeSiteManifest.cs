using System.Net;
using System.Text;

namespace Isthmus.Dataplane.E2ETests.Infrastructure;

/// <summary>
/// One site's configuration for <c>isthmus-iked run --config</c>: a Secret holding the pre-shared key and
/// an IpsecTunnel between this site's LAN and the peer's, as scripts/demo.sh writes them. Both sites of a
/// lab share the PSK; it only ever reaches the manifest file (mode 0600), never the test output.
/// </summary>
public sealed record IkeSiteManifest
{
    public required string TunnelName { get; init; }

    /// <summary>Initiate or Respond.</summary>
    public required string StartAction { get; init; }

    public required IPAddress LocalAddress { get; init; }

    public required string LocalId { get; init; }

    /// <summary>Where the peer's IKE messages come from (its public address when it is behind a NAT).</summary>
    public required IPAddress PeerAddress { get; init; }

    public required string PeerId { get; init; }

    public required string LocalLan { get; init; }

    public required string RemoteLan { get; init; }

    public required string Psk { get; init; }

    /// <summary>spec.child.rekeyTime (e.g. <c>6s</c>), or null for the default.</summary>
    public string? ChildRekeyTime { get; init; }

    /// <summary>spec.child.lifetime, or null for the default (rekeyTime plus 10 %).</summary>
    public string? ChildLifetime { get; init; }

    public string Render()
    {
        var yaml = new StringBuilder();
        yaml.Append($$"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: {{TunnelName}}-psk
            stringData:
              psk: {{Psk}}
            ---
            apiVersion: ipsec.isthmus.dev/v1alpha1
            kind: IpsecTunnel
            metadata:
              name: {{TunnelName}}
            spec:
              startAction: {{StartAction}}
              local:
                address: {{LocalAddress}}
                id: { type: FQDN, value: {{LocalId}} }
              peer:
                address: {{PeerAddress}}
                id: { type: FQDN, value: {{PeerId}} }
              authentication:
                method: Psk
                psk: { secretRef: { name: {{TunnelName}}-psk } }
              ike:
                proposals: [ aes256gcm16-prfsha384-ecp384 ]
              child:
                name: lan
                proposals: [ aes128gcm16 ]

            """);
        if (ChildRekeyTime is not null)
        {
            yaml.Append($"    rekeyTime: {ChildRekeyTime}\n");
        }

        if (ChildLifetime is not null)
        {
            yaml.Append($"    lifetime: {ChildLifetime}\n");
        }

        yaml.Append($$"""
              trafficSelectors:
                inline:
                  local: [ { cidr: {{LocalLan}} } ]
                  remote: [ { cidr: {{RemoteLan}} } ]

            """);
        return yaml.ToString();
    }

    /// <summary>Writes the manifests to <paramref name="path"/>, readable by root only.</summary>
    public void WriteTo(string path)
    {
        File.WriteAllText(path, string.Empty);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(path, Render());
    }

    /// <summary>No key material in test output.</summary>
    public override string ToString() => $"IpsecTunnel {TunnelName} ({StartAction}) {LocalAddress} '{LocalId}' <-> {PeerAddress} '{PeerId}', {LocalLan} === {RemoteLan}";
}
