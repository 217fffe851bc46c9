namespace Isthmus.Api.Schema;

/// <summary>
/// Marks a class as a custom resource and gives what its CustomResourceDefinition declares: names, scope and
/// whether status is a subresource (read by Isthmus.CrdGen).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CustomResourceAttribute(string group, string version, string kind, string plural) : Attribute
{
    /// <summary>API group, e.g. <c>ipsec.isthmus.dev</c>.</summary>
    public string Group { get; } = group;

    /// <summary>API version, e.g. <c>v1alpha1</c>.</summary>
    public string Version { get; } = version;

    /// <summary>Kind, e.g. <c>IpsecTunnel</c>.</summary>
    public string Kind { get; } = kind;

    /// <summary>Plural resource name, e.g. <c>ipsectunnels</c>.</summary>
    public string Plural { get; } = plural;

    /// <summary>Short names for kubectl, e.g. <c>ipt</c>.</summary>
    public string[] ShortNames { get; set; } = [];

    /// <summary>Categories for <c>kubectl get CATEGORY</c>, e.g. <c>isthmus</c>.</summary>
    public string[] Categories { get; set; } = [];

    /// <summary>Whether objects live in a namespace (default) or are cluster-scoped.</summary>
    public bool Namespaced { get; set; } = true;

    /// <summary>Whether <c>status</c> is a subresource: written only through <c>/status</c>, never with the spec.</summary>
    public bool StatusSubresource { get; set; }
}
