namespace Isthmus.Api.Schema;

/// <summary>
/// A column of <c>kubectl get</c> (<c>additionalPrinterColumns</c>). Columns appear in <see cref="Order"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PrinterColumnAttribute(int order, string name, string type, string jsonPath) : Attribute
{
    /// <summary>Position of the column, smallest first.</summary>
    public int Order { get; } = order;

    /// <summary>Column header, e.g. <c>READY</c>.</summary>
    public string Name { get; } = name;

    /// <summary>OpenAPI type of the value: string, integer, number, boolean or date.</summary>
    public string Type { get; } = type;

    /// <summary>JSONPath into the object, e.g. <c>.status.activeNode</c>.</summary>
    public string JsonPath { get; } = jsonPath;

    /// <summary>What the column shows (kubectl explain and API discovery).</summary>
    public string Description { get; set; } = "";

    /// <summary>0: always shown; higher: only with <c>-o wide</c>.</summary>
    public int Priority { get; set; }
}
