using Isthmus.Api.Manifests;
using Isthmus.Api.V1Alpha1;
using Isthmus.Ike.Config;
using Isthmus.IkeDaemon.Config;

namespace Isthmus.Operator.Admission;

/// <summary>What the webhook answers about one object: allowed or not, why, and warnings kubectl prints.</summary>
public sealed record AdmissionVerdict(bool Allowed, string Message, IReadOnlyList<string> Warnings)
{
    public static AdmissionVerdict Allow(IReadOnlyList<string> warnings) => new(true, "", warnings);

    public static AdmissionVerdict Deny(string message, IReadOnlyList<string>? warnings = null) => new(false, message, warnings ?? []);
}

/// <summary>
/// Judges a submitted IpsecTunnel or TrafficSelector on its own, with the rules and messages of the IKE daemon's
/// config builder (<see cref="TunnelConfigBuilder.ValidateSpec"/>), the same code that writes the tunnel's
/// <c>Accepted=False</c> condition. It needs no cache: what the object names (TrafficSelectors, the PSK Secret)
/// may be created later, and a missing reference stays a matter for the condition.
/// </summary>
public static class AdmissionValidator
{
    /// <summary>Reads <paramref name="document"/> strictly (unknown fields and wrong types are refused, naming the field) and judges it.</summary>
    public static AdmissionVerdict Validate(System.Text.Json.Nodes.JsonObject document, CryptoPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(policy);
        object? resource;
        try
        {
            resource = ManifestLoader.ReadDocument(document, "the submitted object");
        }
        catch (ManifestException e)
        {
            return AdmissionVerdict.Deny(string.IsNullOrEmpty(e.Field) ? e.Reason : $"{e.Field}: {e.Reason}");
        }
        return resource switch
        {
            V1Alpha1IpsecTunnel tunnel => ValidateTunnel(tunnel, policy),
            V1Alpha1TrafficSelector selector => ValidateTrafficSelector(selector),
            _ => AdmissionVerdict.Deny($"expected an {V1Alpha1IpsecTunnel.KindName} or a {V1Alpha1TrafficSelector.KindName} of {V1Alpha1IpsecTunnel.GroupVersion}"),
        };
    }

    /// <summary>An IpsecTunnel: every spec field, and the proposals against <paramref name="policy"/>. Weak algorithms the policy allows become warnings.</summary>
    public static AdmissionVerdict ValidateTunnel(V1Alpha1IpsecTunnel tunnel, CryptoPolicy policy)
    {
        var errors = TunnelConfigBuilder.ValidateSpec(tunnel, policy, out var warnings);
        return errors.Count == 0 ? AdmissionVerdict.Allow(warnings) : AdmissionVerdict.Deny(string.Join("; ", errors), warnings);
    }

    /// <summary>
    /// A TrafficSelector: each entry. The message is the one a tunnel that uses the selector shows in its
    /// <c>Accepted</c> condition: <c>TrafficSelector ns/name spec.remote[0].addrEnd: reason</c>.
    /// </summary>
    public static AdmissionVerdict ValidateTrafficSelector(V1Alpha1TrafficSelector selector)
    {
        var errors = TunnelConfigBuilder.ValidateTrafficSelector(selector);
        if (errors.Count == 0)
        {
            return AdmissionVerdict.Allow([]);
        }
        var where = $"{V1Alpha1TrafficSelector.KindName} {selector.Metadata?.Namespace ?? ManifestLoader.DefaultNamespace}/{selector.Metadata?.Name} ";
        return AdmissionVerdict.Deny(string.Join("; ", errors.Select(e => where + e)));
    }
}
