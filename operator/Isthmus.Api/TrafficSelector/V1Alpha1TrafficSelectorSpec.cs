using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>Local and remote traffic selector entries (strongSwan <c>local_ts</c> and <c>remote_ts</c>).</summary>
public sealed class V1Alpha1TrafficSelectorSpec
{
    /// <summary>Traffic on this side of the tunnel (sent as TSi by the initiator).</summary>
    [MaxItems(64)]
    [JsonPropertyName("local")]
    public List<V1Alpha1TrafficSelectorEntry>? Local { get; set; }

    /// <summary>Traffic on the peer's side of the tunnel (sent as TSr by the initiator).</summary>
    [MaxItems(64)]
    [JsonPropertyName("remote")]
    public List<V1Alpha1TrafficSelectorEntry>? Remote { get; set; }
}
