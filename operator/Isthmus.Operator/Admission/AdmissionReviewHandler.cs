using System.Text.Json;
using System.Text.Json.Nodes;
using Isthmus.Ike.Config;

namespace Isthmus.Operator.Admission;

/// <summary>
/// Answers <c>admission.k8s.io/v1</c> AdmissionReviews for IpsecTunnels and TrafficSelectors, as the API server
/// sends them to a validating webhook. A refusal carries HTTP-style status 422 (Invalid) and the validator's
/// message, which kubectl prints after <c>admission webhook "..." denied the request:</c>; weak algorithms the
/// crypto policy allows come back as warnings (<c>Warning: ...</c> in kubectl). An UPDATE that leaves the spec as
/// it was (the operator's own finalizer patches, label edits), or of an object being deleted, is always allowed,
/// so that an object written under an older policy can still be deleted and cleaned up.
/// </summary>
public sealed class AdmissionReviewHandler(CryptoPolicy policy)
{
    /// <summary>The API version of the reviews handled.</summary>
    public const string ReviewApiVersion = "admission.k8s.io/v1";

    /// <summary>The answer to <paramref name="review"/>; a malformed review gets an <see cref="ArgumentException"/> (HTTP 400).</summary>
    public JsonObject Handle(JsonObject review)
    {
        ArgumentNullException.ThrowIfNull(review);
        if (review["apiVersion"]?.GetValue<string>() != ReviewApiVersion || review["kind"]?.GetValue<string>() != "AdmissionReview")
        {
            throw new ArgumentException($"expected an AdmissionReview of {ReviewApiVersion}");
        }
        if (review["request"] is not JsonObject request || request["uid"]?.GetValue<string>() is not { Length: > 0 } uid)
        {
            throw new ArgumentException("the AdmissionReview has no request.uid");
        }
        var verdict = Judge(request);
        var response = new JsonObject
        {
            ["uid"] = uid,
            ["allowed"] = verdict.Allowed,
        };
        if (!verdict.Allowed)
        {
            response["status"] = new JsonObject
            {
                ["code"] = 422,
                ["reason"] = "Invalid",
                ["message"] = verdict.Message,
            };
        }
        if (verdict.Warnings.Count > 0)
        {
            response["warnings"] = new JsonArray(verdict.Warnings.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
        }
        return new JsonObject
        {
            ["apiVersion"] = ReviewApiVersion,
            ["kind"] = "AdmissionReview",
            ["response"] = response,
        };
    }

    private AdmissionVerdict Judge(JsonObject request)
    {
        var operation = request["operation"]?.GetValue<string>();
        if (operation is not ("CREATE" or "UPDATE"))
        {
            return AdmissionVerdict.Allow([]);
        }
        if (request["object"] is not JsonObject obj)
        {
            return AdmissionVerdict.Deny("the AdmissionReview carries no object");
        }
        if (operation == "UPDATE" && request["oldObject"] is JsonObject old
            && (JsonNode.DeepEquals(old["spec"], obj["spec"]) || old["metadata"]?["deletionTimestamp"] is not null))
        {
            // Metadata-only updates (finalizers, labels) and anything done to an object on its way out.
            return AdmissionVerdict.Allow([]);
        }
        // The review's namespace is authoritative (the object may omit it).
        if (request["namespace"]?.GetValue<string>() is { Length: > 0 } ns && obj["metadata"] is JsonObject metadata && metadata["namespace"] is null)
        {
            obj = (JsonObject)obj.DeepClone();
            ((JsonObject)obj["metadata"]!)["namespace"] = ns;
        }
        return AdmissionValidator.Validate(StripServerFields(obj), policy);
    }

    /// <summary>
    /// The object without what the API server adds (status, and metadata beyond name, namespace, labels and
    /// annotations), which the strict manifest reader does not know.
    /// </summary>
    private static JsonObject StripServerFields(JsonObject obj)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key == "status")
            {
                continue;
            }
            if (key == "metadata" && value is JsonObject metadata)
            {
                var kept = new JsonObject();
                foreach (var field in (string[])["name", "namespace", "labels", "annotations", "uid", "generation", "resourceVersion"])
                {
                    if (metadata[field] is { } v)
                    {
                        kept[field] = v.DeepClone();
                    }
                }
                copy[key] = kept;
                continue;
            }
            copy[key] = value?.DeepClone();
        }
        return copy;
    }

    /// <summary>Parses a request body; a body that is not JSON gets an <see cref="ArgumentException"/>.</summary>
    public static JsonObject Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new ArgumentException("the body is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the body is not JSON: {e.Message}");
        }
    }
}
