using System.Text.Json.Nodes;
using Isthmus.Crd.Tests.Validation;

namespace Isthmus.Crd.Tests.Rules;

/// <summary>Finds the CEL rules of the checked-in CRDs by their message, so tests run exactly what the API server runs.</summary>
internal static class CrdRules
{
    public static string ByMessage(string kind, string messageStart)
    {
        var schema = CrdCatalog.Repository.Schema("ipsec.isthmus.dev/v1alpha1", kind);
        var found = new List<string>();
        Collect(schema, messageStart, found);
        return found.Distinct().Single();
    }

    private static void Collect(JsonObject schema, string messageStart, List<string> found)
    {
        foreach (var rule in (schema["x-kubernetes-validations"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (rule["message"]!.GetValue<string>().StartsWith(messageStart, StringComparison.Ordinal))
            {
                found.Add(rule["rule"]!.GetValue<string>());
            }
        }
        foreach (var (_, child) in schema["properties"] as JsonObject ?? [])
        {
            Collect(child!.AsObject(), messageStart, found);
        }
        if (schema["items"] is JsonObject items)
        {
            Collect(items, messageStart, found);
        }
    }
}
