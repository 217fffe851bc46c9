using System.Collections;

namespace Isthmus.Operator.Runtime.Reconcile;

/// <summary>
/// The log scope of one reconcile: structured properties for JSON logs (<c>controller</c>, <c>namespace</c>,
/// <c>name</c>) and, for text logs, <c>ipsectunnel default/hq-to-branch</c>.
/// </summary>
public sealed class ReconcileScope(string controller, string @namespace, string name) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _properties =
    [
        new("controller", controller),
        new("namespace", @namespace),
        new("name", name),
    ];

    public int Count => _properties.Length;

    public KeyValuePair<string, object?> this[int index] => _properties[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_properties).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.IsNullOrEmpty(@namespace) ? $"{controller} {name}" : $"{controller} {@namespace}/{name}";
}
