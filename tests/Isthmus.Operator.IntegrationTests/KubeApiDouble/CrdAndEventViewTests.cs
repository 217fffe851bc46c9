using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

/// <summary>
/// Resources defined by CRDs (names, status subresource, printer columns as the API server renders them), and Events
/// served through both core/v1 and events.k8s.io/v1 as one store, which <c>kubectl describe</c> relies on.
/// </summary>
public sealed class CrdAndEventViewTests
{
    private static JsonObject Crd(JsonArray? columns) => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = "ipsectunnels.ipsec.isthmus.dev" },
        ["spec"] = new JsonObject
        {
            ["group"] = "ipsec.isthmus.dev",
            ["scope"] = "Namespaced",
            ["names"] = new JsonObject
            {
                ["plural"] = "ipsectunnels",
                ["singular"] = "ipsectunnel",
                ["kind"] = "IpsecTunnel",
                ["shortNames"] = new JsonArray("ipt"),
            },
            ["versions"] = new JsonArray(
                new JsonObject { ["name"] = "v1alpha0", ["served"] = true, ["storage"] = false, ["schema"] = AnyObject() },
                new JsonObject
                {
                    ["name"] = "v1alpha1",
                    ["served"] = true,
                    ["storage"] = true,
                    ["schema"] = AnyObject(),
                    ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
                    ["additionalPrinterColumns"] = columns,
                }),
        },
    };

    /// <summary>A schema that keeps whatever fields an object has (v1 CRDs must have a schema).</summary>
    private static JsonObject AnyObject() => new()
    {
        ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
    };

    private static JsonArray TunnelColumns() => new(
        new JsonObject { ["name"] = "READY", ["type"] = "string", ["jsonPath"] = ".status.conditions[?(@.type==\"Ready\")].status" },
        new JsonObject { ["name"] = "CHILD SAS", ["type"] = "string", ["jsonPath"] = ".status.childSas[*].name" },
        new JsonObject { ["name"] = "REKEYS", ["type"] = "integer", ["jsonPath"] = ".status.rekeyCount" },
        new JsonObject { ["name"] = "AGE", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" },
        new JsonObject { ["name"] = "IKE ALGORITHMS", ["type"] = "string", ["jsonPath"] = ".status.ikeSa.algorithms", ["priority"] = 1, ["description"] = "Negotiated IKE SA algorithms." });

    [Fact]
    public void A_crd_defines_names_scope_storage_version_status_subresource_and_columns()
    {
        var r = CustomResourceDefinitions.ToApiResource(Crd(TunnelColumns()));

        Assert.Equal(("ipsec.isthmus.dev", "v1alpha1", "ipsectunnels", "ipsectunnel", "IpsecTunnel"), (r.Group, r.Version, r.Plural, r.Singular, r.Kind));
        Assert.True(r.Namespaced && r.HasStatusSubresource && r.IsCustomResource && r.TracksGeneration);
        Assert.Equal(["ipt"], r.ShortNames);
        Assert.Equal(["READY", "CHILD SAS", "REKEYS", "AGE", "IKE ALGORITHMS"], r.PrinterColumns.Select(c => c.Name));
        Assert.Equal(1, r.PrinterColumns[4].Priority);
        Assert.Equal("Negotiated IKE SA algorithms.", r.PrinterColumns[4].Description);
    }

    [Fact]
    public void A_crd_without_columns_gets_the_api_servers_age_column()
    {
        var r = CustomResourceDefinitions.ToApiResource(Crd(null));

        var age = Assert.Single(r.PrinterColumns);
        Assert.Equal(("Age", "date", ".metadata.creationTimestamp"), (age.Name, age.Type, age.JsonPath));
    }

    [Fact]
    public void An_object_that_is_not_a_crd_or_lacks_a_field_is_rejected_with_the_field_named()
    {
        var notCrd = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap" };
        Assert.Throws<ArgumentException>(() => CustomResourceDefinitions.ToApiResource(notCrd));

        var noPlural = Crd(null);
        ((JsonObject)noPlural["spec"]!["names"]!).Remove("plural");
        var e = Assert.Throws<CustomResourceDefinitionInvalidException>(() => CustomResourceDefinitions.ToApiResource(noPlural));
        Assert.Contains("spec.names.plural", e.Message);
    }

    [Fact]
    public async Task Tables_show_a_crds_columns_only_with_dates_as_ages_lists_joined_and_priorities_kept()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var resources = CustomResourceDefinitions.Replace(ApiResources.All, [CustomResourceDefinitions.ToApiResource(Crd(TunnelColumns()))]);
        await using var api = await KubeApiServer.StartAsync(new KubeApiServerOptions { Resources = resources, Time = time }, DoubleHarness.Ct);
        api.Store.Seed(new JsonObject
        {
            ["apiVersion"] = "ipsec.isthmus.dev/v1alpha1",
            ["kind"] = "IpsecTunnel",
            ["metadata"] = new JsonObject { ["name"] = "t1", ["namespace"] = "default", ["creationTimestamp"] = "2026-01-01T11:55:00Z" },
            ["spec"] = new JsonObject(),
            ["status"] = new JsonObject
            {
                ["rekeyCount"] = 3,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
                ["childSas"] = new JsonArray(new JsonObject { ["name"] = "lan" }, new JsonObject { ["name"] = "dmz" }),
            },
        });

        using var http = new HttpClient { BaseAddress = api.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Get, "apis/ipsec.isthmus.dev/v1alpha1/namespaces/default/ipsectunnels");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;as=Table;v=v1;g=meta.k8s.io"));
        using var response = await http.SendAsync(request, DoubleHarness.Ct);
        var table = JsonNode.Parse(await response.Content.ReadAsStringAsync(DoubleHarness.Ct))!;

        var columns = table["columnDefinitions"]!.AsArray();
        Assert.Equal(["Name", "READY", "CHILD SAS", "REKEYS", "AGE", "IKE ALGORITHMS"], columns.Select(c => (string)c!["name"]!));
        Assert.Equal(1, (int)columns[5]!["priority"]!);
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("t1", (string)cells[0]!);
        Assert.Equal("True", (string)cells[1]!);
        Assert.Equal("lan,dmz", (string)cells[2]!);
        Assert.Equal(3, (int)cells[3]!);
        Assert.Equal("5m", (string)cells[4]!);
        Assert.Null(cells[5]);
    }

    private static Eventsv1Event EventAbout(string name, string tunnel, string uid, string reason, string note) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        EventTime = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc),
        Regarding = new V1ObjectReference { ApiVersion = "ipsec.isthmus.dev/v1alpha1", Kind = "IpsecTunnel", Name = tunnel, NamespaceProperty = "default", Uid = uid },
        Reason = reason,
        Note = note,
        Type = "Normal",
        Action = "Negotiate",
        ReportingController = "ipsec.isthmus.dev/ike-daemon",
        ReportingInstance = "ike-daemon-gw-a",
    };

    [Fact]
    public async Task Events_recorded_through_events_k8s_io_are_listed_by_core_v1_with_involvedObject_selectors()
    {
        await using var h = await DoubleHarness.StartAsync();
        await h.Client.EventsV1.CreateNamespacedEventAsync(EventAbout("t1.a", "t1", "uid-1", "Established", "IKE SA established"), "default", cancellationToken: DoubleHarness.Ct);
        await h.Client.EventsV1.CreateNamespacedEventAsync(EventAbout("t2.a", "t2", "uid-2", "Deleted", "IKE SA deleted"), "default", cancellationToken: DoubleHarness.Ct);

        // The selector kubectl describe sends for a namespaced object.
        var list = await h.Client.CoreV1.ListNamespacedEventAsync("default",
            fieldSelector: "involvedObject.name=t1,involvedObject.namespace=default,involvedObject.kind=IpsecTunnel,involvedObject.uid=uid-1",
            cancellationToken: DoubleHarness.Ct);

        var e = Assert.Single(list.Items);
        Assert.Equal(("t1.a", "t1", "IpsecTunnel"), (e.Metadata.Name, e.InvolvedObject.Name, e.InvolvedObject.Kind));
        Assert.Equal(("Established", "IKE SA established", "Normal"), (e.Reason, e.Message, e.Type));
        Assert.Equal(("ipsec.isthmus.dev/ike-daemon", "ike-daemon-gw-a"), (e.ReportingComponent, e.ReportingInstance));
        Assert.NotNull(e.EventTime);
    }

    [Fact]
    public async Task An_event_is_read_by_name_through_the_other_api_and_an_unknown_name_is_404()
    {
        await using var h = await DoubleHarness.StartAsync();
        await h.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "core.1", NamespaceProperty = "default" },
            InvolvedObject = new V1ObjectReference { Kind = "IpsecTunnel", Name = "t1", NamespaceProperty = "default" },
            Reason = "Scheduled",
            Message = "placed on node gw-a",
            Count = 2,
            Source = new V1EventSource { Component = "ipsec.isthmus.dev/operator" },
        }, "default", cancellationToken: DoubleHarness.Ct);

        var asEventsV1 = await h.Client.EventsV1.ReadNamespacedEventAsync("core.1", "default", cancellationToken: DoubleHarness.Ct);
        Assert.Equal(("t1", "placed on node gw-a", 2), (asEventsV1.Regarding.Name, asEventsV1.Note, asEventsV1.DeprecatedCount));
        Assert.Equal("ipsec.isthmus.dev/operator", asEventsV1.DeprecatedSource.Component);

        var listed = await h.Client.EventsV1.ListNamespacedEventAsync("default", fieldSelector: "regarding.name=t1", cancellationToken: DoubleHarness.Ct);
        Assert.Equal("core.1", Assert.Single(listed.Items).Metadata.Name);

        var missing = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => h.Client.CoreV1.ReadNamespacedEventAsync("nope", "default", cancellationToken: DoubleHarness.Ct));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.Response.StatusCode);
    }
}
