using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Isthmus.Crd.Tests.Validation;

namespace Isthmus.Operator.Tests.Chart;

/// <summary>A <c>required</c> value was empty: what <c>helm install</c> would stop with.</summary>
internal sealed class ChartRenderException(string message) : Exception(message);

/// <summary>
/// Just enough of Helm's template language (no helm on this machine) to render the operator's arguments from
/// values.yaml: <c>if</c>/<c>else</c>/<c>with</c>/<c>range</c>/<c>end</c> lines, and inline <c>.Values.x</c>,
/// <c>.</c>, <c>.Release.*</c>, <c>.Chart.AppVersion</c>, <c>required</c> and the chart's <c>isthmus.fullname</c>
/// and <c>isthmus.image</c> helpers. Anything else fails the test, so a template change this renderer does not
/// understand is noticed rather than skipped.
/// </summary>
internal sealed partial class ChartTemplate
{
    public const string ReleaseName = "isthmus";
    public const string ReleaseNamespace = "isthmus-system";

    private readonly JsonObject _values;
    private readonly string _appVersion;

    public ChartTemplate(JsonObject values, string appVersion)
    {
        _values = values;
        _appVersion = appVersion;
    }

    public static string ChartDirectory { get; } = FindChart();

    /// <summary>The chart's values.yaml with <paramref name="overrides"/> (<c>--set a.b=v</c>) applied.</summary>
    public static ChartTemplate WithDefaults(params (string Path, string Value)[] overrides)
    {
        var values = (JsonObject)YamlDocuments.Load(Path.Combine(ChartDirectory, "values.yaml")).Single()!;
        foreach (var (path, value) in overrides)
        {
            var parts = path.Split('.');
            var node = values;
            foreach (var part in parts[..^1])
            {
                node = (JsonObject)node[part]!;
            }
            node[parts[^1]] = value switch { "true" => JsonValue.Create(true), "false" => JsonValue.Create(false), _ => JsonValue.Create(value) };
        }
        var chart = (JsonObject)YamlDocuments.Load(Path.Combine(ChartDirectory, "Chart.yaml")).Single()!;
        return new ChartTemplate(values, chart["appVersion"]!.ToString());
    }

    /// <summary>values.yaml as parsed, to change before building a <see cref="ChartTemplate"/>.</summary>
    public static JsonObject WithDefaultsValues() => (JsonObject)YamlDocuments.Load(Path.Combine(ChartDirectory, "values.yaml")).Single()!;

    public static string Read(string relative) => File.ReadAllText(Path.Combine(ChartDirectory, relative));

    /// <summary>The rendered <c>args:</c> list of the first container in <paramref name="template"/>.</summary>
    public IReadOnlyList<string> RenderArgs(string template)
    {
        var lines = template.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == "          args:");
        Assert.True(start >= 0, "no container args: in the template");
        var indent = lines[start].IndexOf('a', StringComparison.Ordinal);
        var block = new List<string>();
        for (var i = start + 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            var trimmed = line.TrimStart();
            if (!ActionLine().IsMatch(line) && line.Length - trimmed.Length <= indent)
            {
                break;
            }
            block.Add(trimmed);
        }
        var position = 0;
        var tree = ParseBlock(block, ref position, topLevel: true);
        var output = new List<string>();
        Render(tree, _values, output);
        return output.Select(l => l.StartsWith("- ", StringComparison.Ordinal) ? l[2..] : throw new InvalidOperationException($"args line '{l}' is not a list item")).ToList();
    }

    /// <summary>
    /// The template as YAML documents: lines holding only template actions dropped, each inline expression rendered
    /// when this renderer understands it (else replaced by a placeholder). For the structure around the args.
    /// </summary>
    public IReadOnlyList<JsonObject> Structure(string template)
    {
        var lines = template.Split('\n')
            .Where(l => !ActionLine().IsMatch(l))
            .Select(l => Expression().Replace(l, m =>
            {
                try
                {
                    return Text(Evaluate(m.Groups[1].Value.Trim(), _values));
                }
                catch (NotSupportedException)
                {
                    return "TEMPLATED";
                }
            }));
        return YamlDocuments.Parse(string.Join('\n', lines)).OfType<JsonObject>().ToList();
    }

    private abstract record Node;

    private sealed record TextNode(string Line) : Node;

    private sealed record Block(string Keyword, string Expression, List<Node> Body, List<Node> Else) : Node;

    private static List<Node> ParseBlock(List<string> lines, ref int position, bool topLevel)
    {
        var nodes = new List<Node>();
        while (position < lines.Count)
        {
            var line = lines[position++];
            var action = ActionLine().Match(line);
            if (!action.Success)
            {
                nodes.Add(new TextNode(line));
                continue;
            }
            var text = action.Groups[1].Value.Trim();
            if (text is "end" or "else")
            {
                Assert.False(topLevel, $"unbalanced {{{{ {text} }}}} in the args");
                position--;
                return nodes;
            }
            var keyword = text.Split(' ', 2)[0];
            if (keyword is not ("if" or "with" or "range"))
            {
                throw new NotSupportedException($"template action '{text}' in the args");
            }
            var body = ParseBlock(lines, ref position, topLevel: false);
            var elseBody = new List<Node>();
            if (ActionLine().Match(lines[position]).Groups[1].Value.Trim() == "else")
            {
                position++;
                elseBody = ParseBlock(lines, ref position, topLevel: false);
            }
            Assert.Equal("end", ActionLine().Match(lines[position++]).Groups[1].Value.Trim());
            nodes.Add(new Block(keyword, text[keyword.Length..].Trim(), body, elseBody));
        }
        return nodes;
    }

    private void Render(List<Node> nodes, JsonNode? dot, List<string> output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    output.Add(Expression().Replace(text.Line, m => Text(Evaluate(m.Groups[1].Value.Trim(), dot))));
                    break;
                case Block { Keyword: "if" } block:
                    Render(Truthy(Evaluate(block.Expression, dot)) ? block.Body : block.Else, dot, output);
                    break;
                case Block { Keyword: "with" } block:
                    var value = Evaluate(block.Expression, dot);
                    if (Truthy(value))
                    {
                        Render(block.Body, value, output);
                    }
                    else
                    {
                        Render(block.Else, dot, output);
                    }
                    break;
                case Block block:
                    foreach (var item in Evaluate(block.Expression, dot) as JsonArray ?? [])
                    {
                        Render(block.Body, item, output);
                    }
                    break;
            }
        }
    }

    private JsonNode? Evaluate(string expression, JsonNode? dot)
    {
        var required = Required().Match(expression);
        if (required.Success)
        {
            var value = Evaluate(required.Groups[2].Value, dot);
            return Truthy(value) ? value : throw new ChartRenderException(required.Groups[1].Value);
        }
        if (expression == "include \"isthmus.fullname\" .")
        {
            return JsonValue.Create(FullName());
        }
        var image = ImageInclude().Match(expression);
        if (image.Success)
        {
            var spec = Evaluate(image.Groups[1].Value, dot)!;
            var tag = spec["tag"]?.ToString() is { Length: > 0 } t ? t : _appVersion;
            return JsonValue.Create($"{_values["image"]!["registry"]}/{spec["repository"]}:{tag}");
        }
        return expression switch
        {
            "." => dot,
            ".Release.Namespace" => JsonValue.Create(ReleaseNamespace),
            ".Release.Name" => JsonValue.Create(ReleaseName),
            ".Chart.AppVersion" => JsonValue.Create(_appVersion),
            _ when expression.StartsWith(".Values.", StringComparison.Ordinal) => Lookup(_values, expression[".Values.".Length..]),
            _ when PathExpression().IsMatch(expression) => Lookup(dot, expression[1..]),
            _ => throw new NotSupportedException($"template expression '{expression}'"),
        };
    }

    private static JsonNode? Lookup(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }
        return node;
    }

    private static string FullName() =>
        ReleaseName.Contains("isthmus", StringComparison.Ordinal) ? ReleaseName : $"{ReleaseName}-isthmus";

    private static bool Truthy(JsonNode? value) => value switch
    {
        null => false,
        JsonArray a => a.Count > 0,
        JsonObject o => o.Count > 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > 0,
        JsonValue v => v.ToJsonString() != "0",
        _ => true,
    };

    private static string Text(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => Convert.ToString(v.GetValue<object>(), CultureInfo.InvariantCulture) ?? "",
        _ => throw new NotSupportedException($"a map or list printed inline: {value.ToJsonString()}"),
    };

    private static string FindChart()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return Path.Combine(dir.FullName, "charts", "isthmus");
            }
        }
        throw new InvalidOperationException($"Operator.sln not found above {AppContext.BaseDirectory}");
    }

    // A line holding only one template action ({{- if x }}, {{- end }}, {{- include ... | nindent 4 }}).
    [GeneratedRegex(@"^\s*\{\{-?\s*([^}]*?)\s*-?\}\}\s*$")]
    private static partial Regex ActionLine();

    [GeneratedRegex(@"\{\{-?\s*([^}]*?)\s*-?\}\}")]
    private static partial Regex Expression();

    [GeneratedRegex("^required \"([^\"]*)\" (.+)$")]
    private static partial Regex Required();

    [GeneratedRegex(@"^include ""isthmus.image"" \(list \. (\.Values(\.[A-Za-z]+)+)\)$")]
    private static partial Regex ImageInclude();

    [GeneratedRegex(@"^(\.[A-Za-z][A-Za-z0-9]*)+$")]
    private static partial Regex PathExpression();
}
