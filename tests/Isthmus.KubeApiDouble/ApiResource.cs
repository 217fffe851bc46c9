using System.Text.Json.Nodes;
using Isthmus.ApiExtensions.Schemas;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// One REST resource the double serves, as the API server describes it in discovery
/// (<c>/api/v1</c>, <c>/apis/&lt;group&gt;/&lt;version&gt;</c>) and as its storage strategy behaves.
/// </summary>
/// <param name="Group">API group; empty for the core (legacy) group.</param>
/// <param name="Version">API version, e.g. <c>v1</c> or <c>v1alpha1</c>.</param>
/// <param name="Plural">The resource name used in URLs, e.g. <c>ipsectunnels</c>.</param>
/// <param name="Singular">The singular name, e.g. <c>ipsectunnel</c>.</param>
/// <param name="Kind">The kind, e.g. <c>IpsecTunnel</c>.</param>
/// <param name="Namespaced">Whether objects live in a namespace.</param>
/// <param name="HasStatusSubresource">
/// Whether <c>/status</c> is a subresource: writes to the main resource then ignore <c>status</c>, and writes to
/// <c>/status</c> change only <c>status</c>.
/// </param>
/// <param name="TracksGeneration">Whether <c>metadata.generation</c> is kept (set to 1 on create, incremented on spec changes).</param>
/// <param name="IsCustomResource">Whether the resource is defined by a CustomResourceDefinition (no strategic merge patch).</param>
/// <param name="ReturnsDeletedObject">Whether DELETE answers with the object (CRDs, pods) rather than a Status.</param>
public sealed record ApiResource(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    bool HasStatusSubresource,
    bool TracksGeneration,
    bool IsCustomResource,
    bool ReturnsDeletedObject)
{
    /// <summary>Short names kubectl accepts, e.g. <c>ipt</c>.</summary>
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Extra field selector labels besides <c>metadata.name</c> and <c>metadata.namespace</c>.</summary>
    public IReadOnlyList<string> SelectableFields { get; init; } = [];

    /// <summary>Columns of the server-side table (<c>kubectl get</c>), between NAME and AGE.</summary>
    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];

    /// <summary>
    /// For a resource a CustomResourceDefinition defines: the schema of its served version, which every write is decoded
    /// (pruned, defaulted) and validated against, as the API server does. Null for built-in resources and for the
    /// double's schema-less stand-ins (<see cref="ApiResources.IpsecTunnels"/>, <see cref="ApiResources.TrafficSelectors"/>).
    /// </summary>
    public CustomResourceSchema? Schema { get; init; }

    /// <summary>The CustomResourceDefinition that defines the resource, as accepted (defaulted), or null.</summary>
    public JsonObject? Definition { get; init; }

    /// <summary>The value of <c>apiVersion</c>: <c>v1</c> for core, <c>group/version</c> otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>The qualified resource name used in error messages, e.g. <c>ipsectunnels.ipsec.isthmus.dev</c>.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : Plural + "." + Group;

    /// <summary>The kind qualified by its group, as Invalid errors name it: <c>IpsecTunnel.ipsec.isthmus.dev</c>, <c>Pod</c>.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : Kind + "." + Group;

    /// <summary>
    /// Two descriptions are the same resource when they name the same group, version and plural: a CRD written through
    /// the API replaces the double's stand-in, and a later version of the CRD replaces the earlier one.
    /// </summary>
    public bool Equals(ApiResource? other) =>
        other is not null && Group == other.Group && Version == other.Version && Plural == other.Plural;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Group, Version, Plural);

    /// <summary>The verbs announced in discovery.</summary>
    public static IReadOnlyList<string> Verbs { get; } =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}

/// <summary>A column of <c>kubectl get</c> output, as in a CRD's <c>additionalPrinterColumns</c>.</summary>
/// <param name="Name">Column header.</param>
/// <param name="Type">One of <c>string</c>, <c>integer</c>, <c>number</c>, <c>boolean</c>, <c>date</c>.</param>
/// <param name="JsonPath">A simple JSONPath such as <c>.status.activeNode</c> or <c>.status.conditions[?(@.type=="Ready")].status</c>.</param>
public sealed record PrinterColumn(string Name, string Type, string JsonPath)
{
    /// <summary>0 for the default view; higher for <c>kubectl get -o wide</c> only.</summary>
    public int Priority { get; init; }

    /// <summary>What the column shows (the CRD's <c>description</c>); the name when empty.</summary>
    public string Description { get; init; } = "";

    /// <summary>An optional format hint, e.g. <c>name</c>.</summary>
    public string Format { get; init; } = "";
}
