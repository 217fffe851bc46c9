using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Isthmus.CrdGen;

/// <summary>
/// The <c>&lt;summary&gt;</c> texts of an assembly's XML documentation file, as plain one-line text for
/// CRD descriptions (<c>kubectl explain</c>): <c>&lt;c&gt;x&lt;/c&gt;</c> becomes <c>x</c>, a
/// <c>&lt;see cref&gt;</c> its short name, whitespace is collapsed.
/// </summary>
public sealed partial class XmlDocumentation
{
    private readonly Dictionary<string, string> _summaries;

    private XmlDocumentation(Dictionary<string, string> summaries) => _summaries = summaries;

    /// <summary>Loads <c>NAME.xml</c> beside the assembly; fails with the path when it is missing.</summary>
    public static XmlDocumentation For(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new CrdGenerationException($"XML documentation '{path}' not found: set GenerateDocumentationFile in {assembly.GetName().Name}.csproj");
        }
        var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in XDocument.Load(path).Descendants("member"))
        {
            var name = member.Attribute("name")?.Value;
            var summary = member.Element("summary");
            if (name is not null && summary is not null)
            {
                summaries[name] = Flatten(summary);
            }
        }
        return new XmlDocumentation(summaries);
    }

    /// <summary>The summary of a type, or null.</summary>
    public string? Of(Type type) => _summaries.GetValueOrDefault("T:" + Name(type));

    /// <summary>The summary of a property, or null.</summary>
    public string? Of(PropertyInfo property) =>
        _summaries.GetValueOrDefault($"P:{Name(property.DeclaringType!)}.{property.Name}");

    private static string Name(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static string Flatten(XElement element)
    {
        var sb = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText text:
                    sb.Append(text.Value);
                    break;
                case XElement { Name.LocalName: "see" or "seealso" } see:
                    var cref = see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? "";
                    sb.Append(see.Value.Length > 0 ? see.Value : cref[(cref.LastIndexOfAny([':', '.']) + 1)..]);
                    break;
                case XElement { Name.LocalName: "paramref" or "typeparamref" } reference:
                    sb.Append(reference.Attribute("name")?.Value);
                    break;
                case XElement inner:
                    sb.Append(Flatten(inner));
                    break;
            }
        }
        return Whitespace().Replace(sb.ToString(), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
