using System.Text.Json.Nodes;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>The objects one <c>helm template</c> rendered, with the lookups the chart tests need.</summary>
internal sealed class Rendered(IReadOnlyList<JsonObject> objects)
{
    public IReadOnlyList<JsonObject> Objects { get; } = objects;

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => o["kind"]?.GetValue<string>() == kind);

    public JsonObject Single(string kind) => Assert.Single(OfKind(kind));

    public JsonObject Single(string kind, string name) =>
        Assert.Single(OfKind(kind), o => o["metadata"]!["name"]!.GetValue<string>() == name);

    public bool Has(string kind, string name) => OfKind(kind).Any(o => o["metadata"]!["name"]!.GetValue<string>() == name);

    /// <summary>The operator Deployment's only container.</summary>
    public JsonObject OperatorContainer =>
        Assert.Single(Single("Deployment")["spec"]!["template"]!["spec"]!["containers"]!.AsArray())!.AsObject();

    /// <summary>The operator's arguments, in order.</summary>
    public IReadOnlyList<string> OperatorArgs => OperatorContainer["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();

    /// <summary>The value of <c>--flag=value</c> in the operator's arguments, or null when absent.</summary>
    public string? OperatorFlag(string flag) =>
        OperatorArgs.Where(a => a.StartsWith(flag + "=", StringComparison.Ordinal)).Select(a => a[(flag.Length + 1)..]).SingleOrDefault();
}
