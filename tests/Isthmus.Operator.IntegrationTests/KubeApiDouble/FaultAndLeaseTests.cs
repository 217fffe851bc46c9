using System.Net;
using Isthmus.KubeApiDouble;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

public sealed class FaultAndLeaseTests
{
    [Theory]
    [InlineData(500, "InternalError")]
    [InlineData(429, "TooManyRequests")]
    [InlineData(503, "ServiceUnavailable")]
    public async Task An_injected_fault_fails_the_chosen_request_once(int statusCode, string reason)
    {
        await using var h = await DoubleHarness.StartAsync();
        await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));
        h.Api.Faults.FailNext(r => r.Verb == "get" && r.Resource == ApiResources.IpsecTunnels, statusCode);

        var (code, actualReason, _) = await DoubleHarness.FailureOf(() => h.GetTunnelAsync("t1"));
        Assert.Equal((HttpStatusCode)statusCode, code);
        Assert.Equal(reason, actualReason);
        Assert.Equal("t1", (string?)(await h.GetTunnelAsync("t1"))["metadata"]!["name"]);
        Assert.Equal(1, h.Api.Faults.Injected);
    }

    [Fact]
    public async Task Write_count_counts_successful_writes_only()
    {
        await using var h = await DoubleHarness.StartAsync();
        await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));
        await DoubleHarness.FailureOf(() => h.CreateTunnelAsync(DoubleHarness.Tunnel("t1")));
        await h.GetTunnelAsync("t1");
        Assert.Equal(1, h.Api.WriteCount());
        Assert.Equal(0, h.Api.WriteCount(r => r.Resource == ApiResources.Secrets));
        h.Api.ClearRequests();
        Assert.Equal(0, h.Api.WriteCount());
    }

    [Fact]
    public async Task Two_leader_electors_on_one_lease_elect_one_leader()
    {
        await using var h = await DoubleHarness.StartAsync();
        var leaders = new List<string>();
        var errors = new List<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(DoubleHarness.Ct);
        var electors = new[] { "op-0", "op-1" }.Select(id =>
        {
            var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(h.Client, "default", "isthmus-operator", id))
            {
                LeaseDuration = TimeSpan.FromSeconds(3),
                RenewDeadline = TimeSpan.FromSeconds(2),
                RetryPeriod = TimeSpan.FromMilliseconds(200),
            });
            elector.OnError += e =>
            {
                lock (leaders)
                {
                    errors.Add(id + ": " + e.Message);
                }
            };
            elector.OnStartedLeading += () =>
            {
                lock (leaders)
                {
                    leaders.Add(id);
                }
            };
            return (Elector: elector, Run: elector.RunAndTryToHoldLeadershipForeverAsync(stop.Token));
        }).ToList();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && leaders.Count == 0)
        {
            await Task.Delay(50, DoubleHarness.Ct);
        }

        // Both keep trying for longer than a lease duration: the other may not take over while the leader renews.
        await Task.Delay(TimeSpan.FromSeconds(4), DoubleHarness.Ct);
        lock (leaders)
        {
            Assert.True(leaders.Count == 1, "leaders: " + string.Join(",", leaders) + "; errors: " + string.Join(" | ", errors));
        }

        var lease = await h.Client.CoordinationV1.ReadNamespacedLeaseAsync("isthmus-operator", "default", cancellationToken: DoubleHarness.Ct);
        Assert.Equal(leaders[0], lease.Spec.HolderIdentity);
        await stop.CancelAsync();
        foreach (var (elector, run) in electors)
        {
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
            elector.Dispose();
        }
    }
}
