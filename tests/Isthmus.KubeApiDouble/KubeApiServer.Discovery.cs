using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>Discovery documents: <c>/version</c>, <c>/api</c>, <c>/apis</c>, group and group-version resource lists, OpenAPI.</summary>
public sealed partial class KubeApiServer
{
    private JsonNode? TryDiscovery(string[] s)
    {
        var resources = Store.Resources;
        switch (s)
        {
            case ["version"]:
                return new JsonObject
                {
                    ["major"] = "1",
                    ["minor"] = "32",
                    ["gitVersion"] = "v1.32.0-isthmus-double",
                    ["gitCommit"] = "0000000000000000000000000000000000000000",
                    ["gitTreeState"] = "clean",
                    ["buildDate"] = "2025-01-01T00:00:00Z",
                    ["goVersion"] = "go1.23.0",
                    ["compiler"] = "gc",
                    ["platform"] = "linux/amd64",
                };
            case ["healthz"] or ["livez"] or ["readyz"]:
                return JsonValue.Create("ok");
            case ["api"]:
                return new JsonObject
                {
                    ["kind"] = "APIVersions",
                    ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
                    {
                        ["clientCIDR"] = "0.0.0.0/0",
                        ["serverAddress"] = BaseUri.Authority,
                    }),
                };
            case ["apis"]:
                return new JsonObject
                {
                    ["kind"] = "APIGroupList",
                    ["apiVersion"] = "v1",
                    ["groups"] = new JsonArray(resources.Where(r => r.Group.Length > 0).Select(r => r.Group).Distinct()
                        .Select(g => (JsonNode)Group(g)).ToArray()),
                };
            case ["apis", var g] when resources.Any(r => r.Group == g):
                return Group(g);
            case ["api", var v] when resources.Any(r => r.Group.Length == 0 && r.Version == v):
                return ResourceList("", v);
            case ["apis", var g, var v] when resources.Any(r => r.Group == g && r.Version == v):
                return ResourceList(g, v);
            case ["openapi", "v3"]:
                return new JsonObject { ["paths"] = new JsonObject() };
            default:
                return null;
        }
    }

    private JsonObject Group(string group)
    {
        var versions = Store.Resources.Where(r => r.Group == group).Select(r => r.Version).Distinct().ToList();
        JsonObject Version(string v) => new() { ["groupVersion"] = group + "/" + v, ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)Version(v)).ToArray()),
            ["preferredVersion"] = Version(versions[0]),
        };
    }

    private JsonObject ResourceList(string group, string version)
    {
        var list = new JsonArray();
        foreach (var r in Store.Resources.Where(r => r.Group == group && r.Version == version))
        {
            list.Add(new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray(ApiResource.Verbs.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
                ["shortNames"] = new JsonArray(r.ShortNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["categories"] = r.Definition?["spec"]?["names"]?["categories"]?.DeepClone() ?? (r.IsCustomResource ? new JsonArray("isthmus") : new JsonArray()),
            });
            if (r.HasStatusSubresource)
            {
                list.Add(new JsonObject
                {
                    ["name"] = r.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = r.Namespaced,
                    ["kind"] = r.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : group + "/" + version,
            ["resources"] = list,
        };
    }
}
