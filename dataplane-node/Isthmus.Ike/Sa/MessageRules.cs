using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa;

/// <summary>
/// Which payloads each exchange allows, and how often (RFC 7296 §1.2-§1.5, after strongSwan's
/// message.c rule tables). A request that breaks a rule is answered with INVALID_SYNTAX; a
/// response that breaks one is dropped.
/// </summary>
public static class MessageRules
{
    private static readonly PayloadType[] Singletons =
    [
        PayloadType.SecurityAssociation, PayloadType.KeyExchange, PayloadType.Nonce, PayloadType.IdentificationInitiator,
        PayloadType.IdentificationResponder, PayloadType.Authentication, PayloadType.TrafficSelectorInitiator,
        PayloadType.TrafficSelectorResponder, PayloadType.Configuration, PayloadType.ExtensibleAuthentication,
    ];

    private static readonly Dictionary<ExchangeType, PayloadType[]> Allowed = new()
    {
        [ExchangeType.IkeSaInit] =
        [
            PayloadType.SecurityAssociation, PayloadType.KeyExchange, PayloadType.Nonce, PayloadType.Notify,
            PayloadType.VendorId, PayloadType.CertificateRequest,
        ],
        [ExchangeType.IkeAuth] =
        [
            PayloadType.IdentificationInitiator, PayloadType.IdentificationResponder, PayloadType.Certificate,
            PayloadType.CertificateRequest, PayloadType.Authentication, PayloadType.SecurityAssociation,
            PayloadType.TrafficSelectorInitiator, PayloadType.TrafficSelectorResponder, PayloadType.Notify,
            PayloadType.VendorId, PayloadType.Configuration, PayloadType.ExtensibleAuthentication,
        ],
        [ExchangeType.CreateChildSa] =
        [
            PayloadType.SecurityAssociation, PayloadType.KeyExchange, PayloadType.Nonce, PayloadType.TrafficSelectorInitiator,
            PayloadType.TrafficSelectorResponder, PayloadType.Notify, PayloadType.VendorId, PayloadType.Configuration,
        ],
        [ExchangeType.Informational] =
        [
            PayloadType.Notify, PayloadType.Delete, PayloadType.VendorId, PayloadType.Configuration,
        ],
    };

    /// <summary>Returns a reason when <paramref name="payloads"/> (the decrypted ones, or the clear ones of IKE_SA_INIT) break the rules.</summary>
    public static string? Check(ExchangeType exchange, IReadOnlyList<Payload> payloads)
    {
        if (!Allowed.TryGetValue(exchange, out var allowed)) return $"unknown exchange type {(byte)exchange}";
        foreach (var group in payloads.Where(p => p is not UnknownPayload).GroupBy(p => p.Type))
        {
            if (!allowed.Contains(group.Key)) return $"payload {group.Key} is not allowed in {exchange}";
            if (Singletons.Contains(group.Key) && group.Count() > 1) return $"payload {group.Key} appears {group.Count()} times in {exchange}";
        }
        return null;
    }
}
