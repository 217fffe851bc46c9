using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Isthmus.Ike.Config;
using Isthmus.Ike.Sa;
using Isthmus.IkeDaemon.Status;
using Isthmus.KubeApiDouble;

namespace Isthmus.IkeDaemon.Tests.Status;

/// <summary>
/// The IKE daemon's status sink against the API-server double, driven by real IKEv2 exchanges between two
/// in-memory gateways (hq initiates, branch responds).
/// </summary>
public sealed class KubernetesTunnelStatusSinkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Setup(StatusApi Api, BackToBackPeers Peers, KubernetesTunnelStatusSink Hq, KubernetesTunnelStatusSink Branch) : IAsyncDisposable
    {
        public async Task FlushAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            await Hq.FlushAsync(timeout.Token);
            await Branch.FlushAsync(timeout.Token);
        }

        public ValueTask DisposeAsync() => Api.DisposeAsync();
    }

    private static async Task<Setup> Start(TunnelConfig? hq = null, TunnelConfig? branch = null, Action<StatusApi>? before = null)
    {
        var api = await StatusApi.StartAsync();
        before?.Invoke(api);
        var hqSink = api.Sink(StatusApi.HqNode);
        var branchSink = api.Sink(StatusApi.BranchNode);
        var peers = new BackToBackPeers(hq ?? BackToBackPeers.HqTunnel(), branch ?? BackToBackPeers.BranchTunnel(), hqSink, branchSink);
        return new Setup(api, peers, hqSink, branchSink);
    }

    private static async Task<Setup> Established(TunnelConfig? hq = null, Action<StatusApi>? before = null)
    {
        var setup = await Start(hq, before: before);
        // IKE_SA_INIT and IKE_AUTH (RFC 7296 §1.2):
        //   HDR, SAi1, KEi, Ni                    -->
        //                                         <--  HDR, SAr1, KEr, Nr
        //   HDR, SK {IDi, IDr, AUTH, SAi2, TSi, TSr}  -->
        //                                         <--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
        setup.Peers.Initiate();
        setup.Peers.Pump();
        await setup.FlushAsync();
        return setup;
    }

    private static long Long(JsonNode? node) => long.Parse(node?.ToJsonString() ?? throw new Xunit.Sdk.XunitException("missing value"));

    private static string Str(JsonNode? node) => node?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException("missing value");

    [Fact]
    public async Task The_status_writer_needs_nothing_beyond_the_charts_IKE_role()
    {
        await using var s = await Established();

        var calls = s.Api.Api.AuthorizationLog.Where(a => a.User.Name == "system:serviceaccount:isthmus-system:isthmus-ike").ToList();

        Assert.Contains(calls, a => a.Request.Subresource == "status" && a.Request.Verb == "patch");
        Assert.Contains(calls, a => a.Request.Resource.Plural == "events" && a.Request.Verb == "create");
        Assert.All(calls, a => Assert.True(a.Allowed, $"refused: {a.Request}"));
    }

    [Fact]
    [Trait("RFC", "7296 1.2")]
    public async Task Established_tunnel_shows_its_IKE_SA_and_Child_SA_in_the_status()
    {
        await using var s = await Established();
        var sa = s.Peers.HqSa;
        var child = sa.ChildSas.Single();

        var status = s.Api.Status("hq");
        var ike = (JsonObject)status["ikeSa"]!;
        Assert.Equal(sa.SpiI.ToString("x16"), Str(ike["spiI"]));
        Assert.Equal(sa.SpiR.ToString("x16"), Str(ike["spiR"]));
        Assert.Equal(ProposalFormatter.Format(sa.IkeProposal!.ToProposal([])), Str(ike["algorithms"]));
        Assert.Contains("AES_GCM_16", Str(ike["algorithms"]));
        Assert.Equal("192.0.2.1:500", Str(ike["localEndpoint"]));
        Assert.Equal("192.0.2.2:500", Str(ike["remoteEndpoint"]));
        Assert.False(ike["natDetected"]!.GetValue<bool>());
        var established = DateTimeOffset.Parse(Str(ike["establishedAt"]));
        Assert.Equal(s.Peers.Time.GetUtcNow(), established);
        Assert.True(DateTimeOffset.Parse(Str(ike["nextRekeyAt"])) > established);

        var childStatus = (JsonObject)Assert.Single((JsonArray)status["childSas"]!)!;
        Assert.Equal("net", Str(childStatus["name"]));
        Assert.Equal(child.SpiIn.ToString("x8"), Str(childStatus["spiIn"]));
        Assert.Equal(child.SpiOut.ToString("x8"), Str(childStatus["spiOut"]));
        Assert.Equal("AES_GCM_16_128", Str(childStatus["algorithms"]).Split('/')[0]);
        Assert.Equal(["10.1.0.0/16"], ((JsonArray)childStatus["localTs"]!).Select(Str));
        Assert.Equal(["10.2.0.0/16"], ((JsonArray)childStatus["remoteTs"]!).Select(Str));
        // Counters stay 0 until the dataplane reports them to the daemon.
        foreach (var counter in new[] { "bytesIn", "bytesOut", "packetsIn", "packetsOut" }) Assert.Equal(0, Long(childStatus[counter]!));
        Assert.True(DateTimeOffset.Parse(Str(childStatus["nextRekeyAt"])) > established);
        Assert.Equal(0, Long(status["rekeyCount"]!));

        Assert.Equal("True", Str(s.Api.ConditionOf("hq", "IkeSaEstablished")!["status"]));
        Assert.Equal("Established", Str(s.Api.ConditionOf("hq", "IkeSaEstablished")!["reason"]));
        Assert.Equal("True", Str(s.Api.ConditionOf("hq", "ChildSaEstablished")!["status"]));
        Assert.Contains(child.SpiIn.ToString("x8"), Str(s.Api.ConditionOf("hq", "ChildSaEstablished")!["message"]));

        // The responder's view of the same SAs: same IKE SPIs, ESP SPIs mirrored.
        var branch = s.Api.Status("branch");
        Assert.Equal(sa.SpiI.ToString("x16"), Str(branch["ikeSa"]!["spiI"]));
        Assert.Equal(child.SpiOut.ToString("x8"), Str(branch["childSas"]![0]!["spiIn"]));
        Assert.Equal("True", Str(s.Api.ConditionOf("branch", "ChildSaEstablished")!["status"]));
    }

    [Fact]
    public async Task Daemon_reads_and_writes_only_through_the_status_subresource()
    {
        await using var s = await Established();
        Assert.True(s.Api.TunnelWrites("hq") > 0);
        Assert.Equal(0, s.Api.TunnelWrites("hq", subresource: null));
        // Reads too: the IKE pod's role grants get and patch on ipsectunnels/status only.
        Assert.All(s.Api.Sent.Where(r => r.Path.Contains("/ipsectunnels/")), r => Assert.EndsWith("/status", r.Path));
        var tunnelWrites = s.Api.Sent.Where(r => r.Path.Contains("/ipsectunnels/") && r.Method != "GET").ToList();
        Assert.NotEmpty(tunnelWrites);
        Assert.All(tunnelWrites, r =>
        {
            Assert.Equal("PATCH", r.Method);
            Assert.EndsWith("/status", r.Path);
            Assert.Null(JsonNode.Parse(r.Body)!["spec"]);
        });
    }

    [Fact]
    public async Task Operator_conditions_and_fields_survive_the_daemon_writes()
    {
        await using var s = await Established();
        var seeded = StatusApi.Tunnel("hq", "192.0.2.2", StatusApi.HqNode)["status"]!;
        var status = s.Api.Status("hq");
        foreach (var type in new[] { "Ready", "Accepted", "Scheduled" })
        {
            var expected = ((JsonArray)seeded["conditions"]!).Single(c => Str(c!["type"]) == type);
            Assert.True(JsonNode.DeepEquals(expected, s.Api.ConditionOf("hq", type)), $"{type} changed: {s.Api.ConditionOf("hq", type)}");
        }
        Assert.Equal(StatusApi.HqNode, Str(status["activeNode"]));
        Assert.Equal(1, Long(status["observedGeneration"]!));
        Assert.Equal(5, ((JsonArray)status["conditions"]!).Count);
    }

    [Fact]
    public async Task Operator_write_between_the_daemons_read_and_patch_is_not_lost()
    {
        await using var s = await Start();
        await s.FlushAsync();
        var raced = 0;
        s.Api.BeforeSend = request =>
        {
            // The operator updates Ready after the daemon read the tunnel and before its patch lands.
            if (request.Method == HttpMethod.Patch && request.RequestUri!.AbsolutePath.EndsWith("/ipsectunnels/hq/status") && Interlocked.Increment(ref raced) == 1)
            {
                s.Api.Api.Store.Mutate(ApiResources.IpsecTunnels, "default", "hq", t =>
                {
                    var ready = ((JsonArray)t["status"]!["conditions"]!).Single(c => Str(c!["type"]) == "Ready")!;
                    ready["message"] = "written by the operator meanwhile";
                });
            }
            return Task.CompletedTask;
        };
        s.Peers.Initiate();
        s.Peers.Pump();
        await s.FlushAsync();

        Assert.Contains(s.Api.Api.Requests, r => r.Request.Name == "hq" && r.Request.Subresource == "status" && r.StatusCode == 409);
        Assert.Equal("written by the operator meanwhile", Str(s.Api.ConditionOf("hq", "Ready")!["message"]));
        Assert.Equal("True", Str(s.Api.ConditionOf("hq", "IkeSaEstablished")!["status"]));
    }

    [Fact]
    public async Task Conflict_on_the_status_patch_is_retried()
    {
        await using var s = await Start(before: api => api.Api.Faults.FailNext(
            r => r.Verb == "patch" && r.Name == "hq" && r.Subresource == "status", 409, times: 3));
        s.Peers.Initiate();
        s.Peers.Pump();
        await s.FlushAsync();

        Assert.Equal(3, s.Api.Api.Requests.Count(r => r.Request.Name == "hq" && r.Request.Verb == "patch" && r.StatusCode == 409));
        Assert.Equal("True", Str(s.Api.ConditionOf("hq", "IkeSaEstablished")!["status"]));
        Assert.Equal(s.Peers.HqSa.SpiI.ToString("x16"), Str(s.Api.Status("hq")["ikeSa"]!["spiI"]));
    }

    [Fact]
    public async Task Server_error_is_retried_with_backoff()
    {
        await using var s = await Start(before: api => api.Api.Faults.FailNext(
            r => r.Verb == "get" && r.Name == "hq", 503, times: 1));
        await s.FlushAsync();
        Assert.Equal("Connecting", Str(s.Api.ConditionOf("hq", "IkeSaEstablished")!["reason"]));
        Assert.Contains("HTTP 503", s.Api.LogText.ToString());
    }

    [Fact]
    public async Task Nothing_changed_means_no_request_and_a_restarted_daemon_only_reads()
    {
        await using var s = await Established();
        s.Api.Api.ClearRequests();

        // A batch that changes nothing the status shows (a dropped message on the IKE SA).
        s.Peers.HqStatus.Observe([new MessageDropped(s.Peers.HqSa, BackToBackPeers.BranchEndpoint, "unexpected message ID")], s.Peers.Hq.Sas);
        await s.FlushAsync();
        Assert.Empty(s.Api.Api.Requests);

        // A new daemon process with the same SAs: it reads the tunnel, finds its state there, and writes nothing.
        var restarted = s.Api.Sink(StatusApi.HqNode);
        new TunnelStatusTracker([s.Peers.HqConfig], restarted, s.Peers.Time).Start(s.Peers.Hq.Sas);
        await restarted.FlushAsync(Ct);
        Assert.Contains(s.Api.Api.Requests, r => r.Request.Verb == "get" && r.Request.Name == "hq");
        Assert.Equal(0, s.Api.TunnelWrites("hq"));
    }

    [Fact]
    public async Task Rapid_changes_are_coalesced_into_at_most_one_write_per_second_with_the_latest_state()
    {
        await using var api = await StatusApi.StartAsync();
        var sink = api.Sink(StatusApi.HqNode, minWriteInterval: TimeSpan.FromSeconds(1));
        var since = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var started = DateTime.UtcNow;
        for (var i = 1; i <= 20; i++)
        {
            sink.SnapshotChanged(new TunnelSaStatus
            {
                Tunnel = new TunnelKey("default", "hq"),
                IkeSaEstablished = new DaemonCondition(Api.V1Alpha1.V1Alpha1ConditionStatus.False, "Connecting", $"attempt {i}", since),
                ChildSaEstablished = new DaemonCondition(Api.V1Alpha1.V1Alpha1ConditionStatus.False, "IkeSaNotEstablished", "no IKE SA", since),
                RekeyCount = i,
            });
            await Task.Delay(20, Ct);
        }
        await sink.FlushAsync(Ct);

        var writes = api.TunnelWrites("hq");
        Assert.InRange(writes, 1, 1 + (int)Math.Ceiling((DateTime.UtcNow - started).TotalSeconds));
        Assert.True(writes <= 3, $"{writes} writes for 20 changes in under a second");
        Assert.Equal(20, Long(api.Status("hq")["rekeyCount"]));
        Assert.Equal("attempt 20", Str(api.ConditionOf("hq", "IkeSaEstablished")!["message"]));
    }

    [Fact]
    public async Task Established_events_carry_the_SPIs_and_algorithms()
    {
        await using var s = await Established();
        var sa = s.Peers.HqSa;
        var child = sa.ChildSas.Single();
        var uid = Str(s.Api.Read("hq")["metadata"]!["uid"]);

        var events = s.Api.Events("hq");
        Assert.Equal(2, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal("Established", Str(e["reason"]));
            Assert.Equal("Normal", Str(e["type"]));
            Assert.Equal("IpsecTunnel", Str(e["regarding"]!["kind"]));
            Assert.Equal("ipsec.isthmus.dev/v1alpha1", Str(e["regarding"]!["apiVersion"]));
            Assert.Equal(uid, Str(e["regarding"]!["uid"]));
            Assert.Equal(KubernetesTunnelStatusSink.ReportingController, Str(e["reportingController"]));
            Assert.Equal($"isthmus-iked-{StatusApi.HqNode}", Str(e["reportingInstance"]));
        });
        var ikeNote = Str(events.Single(e => Str(e["action"]) == "EstablishIkeSa")["note"]);
        Assert.Contains($"{sa.SpiI:x16}_i {sa.SpiR:x16}_r", ikeNote);
        Assert.Contains(ProposalFormatter.Format(sa.IkeProposal!.ToProposal([])), ikeNote);
        var childNote = Str(events.Single(e => Str(e["action"]) == "EstablishChildSa")["note"]);
        Assert.Contains($"{child.SpiIn:x8}_in {child.SpiOut:x8}_out", childNote);
        Assert.Contains("10.1.0.0/16 === 10.2.0.0/16", childNote);
        Assert.Equal(2, s.Api.Events("branch").Count);
    }

    [Fact]
    [Trait("RFC", "7296 2.21.2")]
    public async Task Wrong_psk_sets_AuthenticationFailed_on_both_ends()
    {
        await using var s = await Start(branch: BackToBackPeers.BranchTunnel(psk: "a different pre-shared key"));
        s.Peers.Initiate();
        s.Peers.Pump();
        await s.FlushAsync();

        foreach (var tunnel in new[] { "hq", "branch" })
        {
            var ike = s.Api.ConditionOf(tunnel, "IkeSaEstablished")!;
            Assert.Equal("False", Str(ike["status"]));
            Assert.Equal("AuthenticationFailed", Str(ike["reason"]));
            Assert.Contains("AUTHENTICATION_FAILED", Str(ike["message"]));
            Assert.Equal("IkeSaNotEstablished", Str(s.Api.ConditionOf(tunnel, "ChildSaEstablished")!["reason"]));
            Assert.Null(s.Api.Status(tunnel)["ikeSa"]);
            Assert.Empty((JsonArray)s.Api.Status(tunnel)["childSas"]!);
            var e = Assert.Single(s.Api.Events(tunnel));
            Assert.Equal("AuthenticationFailed", Str(e["reason"]));
            Assert.Equal("Warning", Str(e["type"]));
        }
    }

    [Fact]
    [Trait("RFC", "7296 2.7")]
    public async Task Disjoint_ike_proposals_record_NoProposalChosen()
    {
        await using var s = await Start(branch: BackToBackPeers.BranchTunnel(ike: "aes128-sha256-modp2048"));
        s.Peers.Initiate();
        s.Peers.Pump();
        await s.FlushAsync();

        var ike = s.Api.ConditionOf("hq", "IkeSaEstablished")!;
        Assert.Equal("NoProposalChosen", Str(ike["reason"]));
        Assert.Contains("NO_PROPOSAL_CHOSEN", Str(ike["message"]));
        var e = Assert.Single(s.Api.Events("hq"));
        Assert.Equal("NoProposalChosen", Str(e["reason"]));
        Assert.Equal("Warning", Str(e["type"]));
    }

    [Fact]
    [Trait("RFC", "7296 2.9")]
    public async Task Disjoint_traffic_selectors_record_TrafficSelectorUnacceptable()
    {
        await using var s = await Start(branch: BackToBackPeers.BranchTunnel(localTs: "10.9.0.0/16", remoteTs: "10.8.0.0/16"));
        s.Peers.Initiate();
        s.Peers.Pump();
        await s.FlushAsync();

        var child = s.Api.ConditionOf("hq", "ChildSaEstablished")!;
        Assert.Equal("False", Str(child["status"]));
        Assert.Equal("TrafficSelectorUnacceptable", Str(child["reason"]));
        Assert.Contains("TS_UNACCEPTABLE", Str(child["message"]));
        Assert.Contains(s.Api.Events("hq"), e => Str(e["reason"]) == "TrafficSelectorUnacceptable" && Str(e["type"]) == "Warning");
        Assert.Empty((JsonArray)s.Api.Status("hq")["childSas"]!);
    }

    [Fact]
    [Trait("RFC", "7296 2.4")]
    public async Task Silent_peer_records_PeerUnreachable_and_repeats_fold_into_one_event_series()
    {
        await using var s = await Start();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            s.Peers.Initiate();
            for (var i = 0; i < 60 && s.Peers.Hq.Sas.Any(sa => sa.State != IkeSaState.Closed); i++)
            {
                s.Peers.DropAll();
                s.Peers.Advance(TimeSpan.FromSeconds(10));
            }
            s.Peers.DropAll();
        }
        await s.FlushAsync();

        var ike = s.Api.ConditionOf("hq", "IkeSaEstablished")!;
        Assert.Equal("PeerUnreachable", Str(ike["reason"]));
        Assert.Contains("192.0.2.2:500", Str(ike["message"]));
        var e = Assert.Single(s.Api.Events("hq"));
        Assert.Equal("PeerUnreachable", Str(e["reason"]));
        Assert.Equal(2, Long(e["series"]!["count"]!));
    }

    [Fact]
    [Trait("RFC", "7296 1.3.3")]
    public async Task Child_sa_rekey_updates_spis_counts_the_rekey_and_records_ChildSaRekeyed()
    {
        await using var s = await Established(BackToBackPeers.HqTunnel(childRekey: TimeSpan.FromMinutes(10)));
        var old = s.Peers.HqSa.ChildSas.Single();
        var ikeTransition = Str(s.Api.ConditionOf("hq", "IkeSaEstablished")!["lastTransitionTime"]);

        // HDR, SK {N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr}  -->  <--  HDR, SK {SA, Nr, [KEr,] TSi, TSr}
        s.Peers.Advance(TimeSpan.FromMinutes(10));
        s.Peers.Pump();
        await s.FlushAsync();

        var current = s.Peers.HqSa.ChildSas.Single(c => !c.Rekeyed);
        Assert.NotEqual(old.SpiIn, current.SpiIn);
        var status = s.Api.Status("hq");
        var child = (JsonObject)Assert.Single((JsonArray)status["childSas"]!)!;
        Assert.Equal(current.SpiIn.ToString("x8"), Str(child["spiIn"]));
        Assert.Equal(1, Long(status["rekeyCount"]!));
        Assert.Equal(s.Peers.Time.GetUtcNow(), DateTimeOffset.Parse(Str(status["lastRekeyAt"])));
        Assert.Equal(ikeTransition, Str(s.Api.ConditionOf("hq", "IkeSaEstablished")!["lastTransitionTime"]));

        var rekeyed = Assert.Single(s.Api.Events("hq"), e => Str(e["reason"]) == "ChildSaRekeyed");
        Assert.Contains($"{old.SpiIn:x8}_in {old.SpiOut:x8}_out -> {current.SpiIn:x8}_in {current.SpiOut:x8}_out", Str(rekeyed["note"]));
        // The rekey neither re-announces the new Child SA nor reports the old one's deletion as a Deleted event.
        Assert.Equal(2, s.Api.Events("hq").Count(e => Str(e["reason"]) == "Established"));
        Assert.DoesNotContain(s.Api.Events("hq"), e => Str(e["reason"]) == "Deleted");
        Assert.Equal(1, Long(s.Api.Status("branch")["rekeyCount"]));
    }

    [Fact]
    [Trait("RFC", "7296 2.18")]
    public async Task Ike_sa_rekey_updates_the_ike_spis_and_records_IkeSaRekeyed()
    {
        await using var s = await Established(BackToBackPeers.HqTunnel(ikeRekey: TimeSpan.FromMinutes(20)));
        var old = s.Peers.HqSa;
        var transition = Str(s.Api.ConditionOf("hq", "IkeSaEstablished")!["lastTransitionTime"]);

        s.Peers.Advance(TimeSpan.FromMinutes(20));
        s.Peers.Pump();
        await s.FlushAsync();

        var current = s.Peers.HqSa;
        Assert.NotEqual(old.SpiI, current.SpiI);
        var status = s.Api.Status("hq");
        Assert.Equal(current.SpiI.ToString("x16"), Str(status["ikeSa"]!["spiI"]));
        Assert.Equal(1, Long(status["rekeyCount"]!));
        Assert.Single((JsonArray)status["childSas"]!);
        var ike = s.Api.ConditionOf("hq", "IkeSaEstablished")!;
        Assert.Equal("True", Str(ike["status"]));
        Assert.Contains(current.SpiI.ToString("x16"), Str(ike["message"]));
        Assert.Equal(transition, Str(ike["lastTransitionTime"]));
        var rekeyed = Assert.Single(s.Api.Events("hq"), e => Str(e["reason"]) == "IkeSaRekeyed");
        Assert.Contains($"{old.SpiI:x16}_i {old.SpiR:x16}_r -> {current.SpiI:x16}_i {current.SpiR:x16}_r", Str(rekeyed["note"]));
        Assert.DoesNotContain(s.Api.Events("hq"), e => Str(e["reason"]) == "Deleted");
    }

    [Fact]
    [Trait("RFC", "7296 1.4.1")]
    public async Task Deleted_ike_sa_clears_the_sa_status_and_records_Deleted_on_both_ends()
    {
        await using var s = await Established();
        var sa = s.Peers.HqSa;
        s.Peers.Time.Advance(TimeSpan.FromSeconds(30));
        // HDR, SK {D}  -->  <--  HDR, SK {}
        s.Peers.HqDoes(sa.Delete);
        s.Peers.Pump();
        await s.FlushAsync();

        foreach (var (tunnel, by) in new[] { ("hq", "by this end"), ("branch", "by the peer") })
        {
            var status = s.Api.Status(tunnel);
            Assert.Null(status["ikeSa"]);
            Assert.Empty((JsonArray)status["childSas"]!);
            var ike = s.Api.ConditionOf(tunnel, "IkeSaEstablished")!;
            Assert.Equal("False", Str(ike["status"]));
            Assert.Equal("Deleted", Str(ike["reason"]));
            Assert.Equal(s.Peers.Time.GetUtcNow(), DateTimeOffset.Parse(Str(ike["lastTransitionTime"])));
            var deleted = Assert.Single(s.Api.Events(tunnel), e => Str(e["reason"]) == "Deleted");
            Assert.Contains($"{sa.SpiI:x16}_i {sa.SpiR:x16}_r", Str(deleted["note"]));
            Assert.Contains(by, Str(deleted["note"]));
        }
    }

    [Fact]
    public async Task Start_replaces_a_stale_sa_left_by_a_previous_daemon()
    {
        await using var s = await Start(before: api => api.Api.Store.Mutate(ApiResources.IpsecTunnels, "default", "hq", t =>
        {
            t["status"]!["ikeSa"] = new JsonObject { ["spiI"] = "00000000000000aa", ["spiR"] = "00000000000000bb", ["algorithms"] = "AES_CBC_128" };
            t["status"]!["childSas"] = new JsonArray(new JsonObject { ["name"] = "net", ["spiIn"] = "c0000001" });
            t["status"]!["rekeyCount"] = 7;
        }));
        await s.FlushAsync();

        var status = s.Api.Status("hq");
        Assert.Null(status["ikeSa"]);
        Assert.Empty((JsonArray)status["childSas"]!);
        Assert.Equal(7, Long(status["rekeyCount"]!));
        Assert.Equal("Connecting", Str(s.Api.ConditionOf("hq", "IkeSaEstablished")!["reason"]));
        Assert.Equal("WaitingForPeer", Str(s.Api.ConditionOf("branch", "IkeSaEstablished")!["reason"]));
    }

    [Fact]
    public async Task Status_is_left_alone_when_another_node_is_the_active_gateway()
    {
        await using var s = await Established(before: api => api.Api.Store.Mutate(ApiResources.IpsecTunnels, "default", "hq",
            t => t["status"]!["activeNode"] = "gw-other"));

        Assert.Equal(0, s.Api.TunnelWrites("hq"));
        Assert.Null(s.Api.ConditionOf("hq", "IkeSaEstablished"));
        Assert.Contains("activeNode names another node", s.Api.LogText.ToString());
        Assert.Equal(2, s.Api.Events("hq").Count);
        Assert.True(s.Api.TunnelWrites("branch") > 0);
    }

    [Fact]
    public async Task No_key_or_psk_appears_in_any_written_body()
    {
        await using var s = await Established(BackToBackPeers.HqTunnel(childRekey: TimeSpan.FromMinutes(10), ikeRekey: TimeSpan.FromMinutes(25)));
        var secrets = new List<byte[]> { Encoding.UTF8.GetBytes(BackToBackPeers.Psk) };
        void Collect()
        {
            foreach (var sa in s.Peers.Hq.Sas.Concat(s.Peers.Branch.Sas))
            {
                if (sa.Keys is { } k) secrets.AddRange([k.SkD, k.SkAi, k.SkAr, k.SkEi, k.SkEr, k.SkPi, k.SkPr]);
                foreach (var c in sa.ChildSas) secrets.AddRange([c.Keys.EncrI, c.Keys.EncrR, c.Keys.IntegI, c.Keys.IntegR]);
            }
        }
        Collect();
        s.Peers.Advance(TimeSpan.FromMinutes(10));
        s.Peers.Pump();
        Collect();
        s.Peers.Advance(TimeSpan.FromMinutes(15));
        s.Peers.Pump();
        Collect();
        s.Peers.HqDoes(s.Peers.HqSa.Delete);
        s.Peers.Pump();
        await s.FlushAsync();

        var bodies = s.Api.Sent.Where(r => r.Body.Length > 0).Select(r => r.Body).ToList();
        Assert.Contains(bodies, b => b.Contains("ChildSaRekeyed"));
        Assert.Contains(bodies, b => b.Contains("IkeSaRekeyed"));
        var forms = secrets.Where(k => k.Length >= 4).SelectMany(k => new[]
        {
            Convert.ToHexStringLower(k), Convert.ToHexString(k), Convert.ToBase64String(k), Encoding.Latin1.GetString(k),
        }).Append(BackToBackPeers.Psk).ToList();
        Assert.True(forms.Count > 20);
        foreach (var body in bodies)
        {
            foreach (var form in forms) Assert.DoesNotContain(form, body);
        }
    }
}
