using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>What this end does to bring the tunnel up (strongSwan's <c>start_action</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<V1Alpha1StartAction>))]
public enum V1Alpha1StartAction
{
    /// <summary>Initiate the IKE SA and the Child SA as soon as the tunnel is placed on a node (strongSwan <c>start</c>).</summary>
    Initiate,

    /// <summary>Only respond to the peer's IKE_SA_INIT (strongSwan <c>none</c>).</summary>
    Respond,

    /// <summary>
    /// Initiates when traffic first matches the selectors (strongSwan <c>trap</c>); needs the dataplane's
    /// acquire events. Reserved: not accepted yet.
    /// </summary>
    OnDemand,
}
