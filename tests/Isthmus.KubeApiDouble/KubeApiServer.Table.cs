using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Isthmus.KubeApiDouble;

/// <summary>Server-side printing (<c>meta.k8s.io/v1 Table</c>), which kubectl asks for on <c>get</c>.</summary>
public sealed partial class KubeApiServer
{
    private static bool WantsTable(HttpContext context) =>
        context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    private const string CreationTimestampPath = ".metadata.creationTimestamp";

    /// <summary>
    /// NAME, then the resource's printer columns, then AGE unless a column already shows
    /// <c>.metadata.creationTimestamp</c> (a CRD's columns are complete: the API server adds no AGE of its own).
    /// Cells of <c>date</c> columns are ages (5m, 3h), as the API server renders them.
    /// </summary>
    private JsonObject RenderTable(ApiResource resource, IReadOnlyList<JsonObject> items, string resourceVersion)
    {
        var columns = new JsonArray { Column(new PrinterColumn("Name", "string", ".metadata.name") { Format = "name" }) };
        foreach (var c in resource.PrinterColumns)
        {
            columns.Add(Column(c));
        }

        var addAge = !resource.PrinterColumns.Any(c => c.JsonPath == CreationTimestampPath);
        if (addAge)
        {
            columns.Add(Column(new PrinterColumn("Age", "date", CreationTimestampPath)));
        }

        var now = Options.Time.GetUtcNow();
        var rows = new JsonArray();
        foreach (var item in items)
        {
            var cells = new JsonArray { Meta.Name(item) };
            foreach (var c in resource.PrinterColumns)
            {
                var values = JsonPathLite.Evaluate(item, c.JsonPath);
                cells.Add(values.Count == 0 ? null
                    : c.Type == "date" ? Age(now, Text(values[0]))
                    : values.Count == 1 ? values[0]?.DeepClone()
                    : string.Join(",", values.Select(Text)));
            }

            if (addAge)
            {
                cells.Add(Age(now, Meta.Str(Meta.Of(item), "creationTimestamp")));
            }

            rows.Add(new JsonObject
            {
                ["cells"] = cells,
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = Meta.Of(item).DeepClone(),
                },
            });
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = columns,
            ["rows"] = rows,
        };
    }

    private static JsonObject Column(PrinterColumn c) => new()
    {
        ["name"] = c.Name,
        ["type"] = c.Type,
        ["format"] = c.Format,
        ["description"] = c.Description.Length > 0 ? c.Description : c.Name,
        ["priority"] = c.Priority,
    };

    private static string Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString() ?? "";

    /// <summary>The short age kubectl shows: 42s, 5m, 3h, 12d.</summary>
    internal static string Age(DateTimeOffset now, string? timestamp)
    {
        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }

        var age = now - created;
        return age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
