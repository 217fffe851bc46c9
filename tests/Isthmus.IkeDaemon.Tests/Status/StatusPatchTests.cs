using System.Text.Json.Nodes;
using Isthmus.Api.V1Alpha1;
using Isthmus.IkeDaemon.Status;

namespace Isthmus.IkeDaemon.Tests.Status;

public sealed class StatusPatchTests
{
    private static readonly DateTimeOffset Earlier = new(2026, 11, 27, 11, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static TunnelSaStatus Desired(V1Alpha1ConditionStatus ike, string reason = "Established") => new()
    {
        Tunnel = new TunnelKey("default", "hq"),
        IkeSaEstablished = new DaemonCondition(ike, reason, "message", Now),
        ChildSaEstablished = new DaemonCondition(V1Alpha1ConditionStatus.False, "IkeSaNotEstablished", "no IKE SA", Now),
    };

    private static StatusPatch.Current Current(string ikeStatus) => StatusPatch.Read(new JsonObject
    {
        ["metadata"] = new JsonObject { ["resourceVersion"] = "42", ["uid"] = "u-1", ["generation"] = 3 },
        ["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "Ready", ["status"] = "False", ["reason"] = "Negotiating", ["futureField"] = "kept" },
                new JsonObject { ["type"] = "IkeSaEstablished", ["status"] = ikeStatus, ["reason"] = "Established", ["message"] = "old", ["lastTransitionTime"] = "2026-11-27T11:00:00Z" }),
        },
    });

    private static JsonObject Condition(JsonObject patch, string type) =>
        (JsonObject)((JsonArray)patch["status"]!["conditions"]!).Single(c => (string?)c!["type"] == type)!;

    [Fact]
    public void Same_status_keeps_the_last_transition_time_and_carries_the_resource_version()
    {
        var patch = StatusPatch.Build(Current("True"), Desired(V1Alpha1ConditionStatus.True), 0)!;
        Assert.Equal("42", (string?)patch["metadata"]!["resourceVersion"]);
        var ike = Condition(patch, "IkeSaEstablished");
        Assert.Equal("2026-11-27T11:00:00Z", (string?)ike["lastTransitionTime"]);
        Assert.Equal("message", (string?)ike["message"]);
        Assert.Equal(3, (long)ike["observedGeneration"]!);
    }

    [Fact]
    public void Changed_status_moves_the_last_transition_time()
    {
        var patch = StatusPatch.Build(Current("True"), Desired(V1Alpha1ConditionStatus.False, "PeerUnreachable"), 0)!;
        var ike = Condition(patch, "IkeSaEstablished");
        Assert.Equal(Now, DateTimeOffset.Parse((string)ike["lastTransitionTime"]!));
        Assert.NotEqual(Earlier, DateTimeOffset.Parse((string)ike["lastTransitionTime"]!));
    }

    [Fact]
    public void Other_conditions_are_sent_back_exactly_as_read_and_new_ones_appended()
    {
        var patch = StatusPatch.Build(Current("True"), Desired(V1Alpha1ConditionStatus.True), 0)!;
        var conditions = (JsonArray)patch["status"]!["conditions"]!;
        Assert.Equal(["Ready", "IkeSaEstablished", "ChildSaEstablished"], conditions.Select(c => (string)c!["type"]!));
        Assert.Equal("kept", (string?)conditions[0]!["futureField"]);
    }

    [Fact]
    public void Status_that_already_shows_the_snapshot_needs_no_patch()
    {
        var first = StatusPatch.Build(Current("True"), Desired(V1Alpha1ConditionStatus.True), 5)!;
        // What the API server stores: the patch merged into the status, a null removing its key (RFC 7386).
        var stored = (JsonObject)JsonNode.Parse(first["status"]!.ToJsonString())!;
        Assert.True(stored.ContainsKey("ikeSa"));
        stored.Remove("ikeSa");
        var applied = StatusPatch.Read(new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = "43", ["generation"] = 3 },
            ["status"] = stored,
        });
        Assert.Null(StatusPatch.Build(applied, Desired(V1Alpha1ConditionStatus.True), 5));
        Assert.NotNull(StatusPatch.Build(applied, Desired(V1Alpha1ConditionStatus.True), 6));
    }
}
