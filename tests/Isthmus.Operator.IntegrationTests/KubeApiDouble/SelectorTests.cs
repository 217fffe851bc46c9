using System.Net;
using Isthmus.KubeApiDouble;
using k8s;
using k8s.Models;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

public sealed class SelectorTests
{
    private static async Task<DoubleHarness> WithPodsAsync()
    {
        var h = await DoubleHarness.StartAsync();
        var pods = new (string Name, string Node, Dictionary<string, string> Labels)[]
        {
            ("ike-a", "node-a", new() { ["app"] = "ike", ["tier"] = "gw" }),
            ("ike-b", "node-b", new() { ["app"] = "ike" }),
            ("dp-a", "node-a", new() { ["app"] = "dataplane", ["tier"] = "gw" }),
            ("other", "node-c", new() { ["team"] = "x" }),
        };
        foreach (var (name, node, labels) in pods)
        {
            var pod = new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = labels },
                Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "i" }] },
            };
            await h.Client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: DoubleHarness.Ct);
        }

        return h;
    }

    private static async Task<string[]> Names(DoubleHarness h, string? labels = null, string? fields = null) =>
        (await h.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: labels, fieldSelector: fields, cancellationToken: DoubleHarness.Ct))
            .Items.Select(p => p.Metadata.Name).Order().ToArray();

    [Theory]
    [InlineData("app=ike", new[] { "ike-a", "ike-b" })]
    [InlineData("app==ike", new[] { "ike-a", "ike-b" })]
    [InlineData("app!=ike", new[] { "dp-a", "other" })]
    [InlineData("app in (ike, dataplane)", new[] { "dp-a", "ike-a", "ike-b" })]
    [InlineData("app notin (ike)", new[] { "dp-a", "other" })]
    [InlineData("tier", new[] { "dp-a", "ike-a" })]
    [InlineData("!tier", new[] { "ike-b", "other" })]
    [InlineData("app=ike,tier=gw", new[] { "ike-a" })]
    public async Task Label_selectors_filter_lists(string selector, string[] expected)
    {
        await using var h = await WithPodsAsync();
        Assert.Equal(expected, await Names(h, labels: selector));
    }

    [Theory]
    [InlineData("spec.nodeName=node-a", new[] { "dp-a", "ike-a" })]
    [InlineData("spec.nodeName!=node-a", new[] { "ike-b", "other" })]
    [InlineData("metadata.name=ike-b", new[] { "ike-b" })]
    [InlineData("metadata.namespace=default,spec.nodeName=node-c", new[] { "other" })]
    public async Task Field_selectors_filter_lists(string selector, string[] expected)
    {
        await using var h = await WithPodsAsync();
        Assert.Equal(expected, await Names(h, fields: selector));
    }

    [Fact]
    public async Task An_unsupported_field_selector_is_400_BadRequest()
    {
        await using var h = await WithPodsAsync();
        var (code, reason, message) = await DoubleHarness.FailureOf(() => Names(h, fields: "spec.hostNetwork=true"));
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("BadRequest", reason);
        Assert.Contains("field label not supported: spec.hostNetwork", message);
    }

    [Fact]
    public async Task Events_select_on_involvedObject()
    {
        await using var h = await DoubleHarness.StartAsync();
        foreach (var (name, target) in new[] { ("e1", "t1"), ("e2", "t2"), ("e3", "t1") })
        {
            var ev = new Corev1Event { Metadata = new V1ObjectMeta { Name = name }, InvolvedObject = new V1ObjectReference { Kind = "IpsecTunnel", Name = target }, Reason = "Scheduled" };
            await h.Client.CoreV1.CreateNamespacedEventAsync(ev, "default", cancellationToken: DoubleHarness.Ct);
        }

        var list = await h.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.kind=IpsecTunnel,involvedObject.name=t1", cancellationToken: DoubleHarness.Ct);
        Assert.Equal(["e1", "e3"], list.Items.Select(e => e.Metadata.Name).Order());
    }

    [Theory]
    [InlineData("a in (x")]
    [InlineData("a b")]
    [InlineData(",")]
    public void Malformed_label_selectors_are_400(string selector)
    {
        var e = Assert.Throws<ApiStatusException>(() => LabelSelector.Parse(selector));
        Assert.Equal(400, e.Code);
    }
}
