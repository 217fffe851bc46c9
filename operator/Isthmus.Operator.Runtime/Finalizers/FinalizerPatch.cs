using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Isthmus.Operator.Runtime.Finalizers;

/// <summary>
/// Builds JSON merge patches that add or remove a finalizer. The patch carries the object's
/// resourceVersion, so the API server rejects it with 409 Conflict if the object changed meanwhile
/// (a merge patch replaces the whole list, so a stale list must never be written).
/// </summary>
public static class FinalizerPatch
{
    public static bool Has(V1ObjectMeta metadata, string finalizer) =>
        metadata.Finalizers?.Contains(finalizer) == true;

    /// <summary>The patch adding <paramref name="finalizer"/>, or null when it is present.</summary>
    public static V1Patch? Add(V1ObjectMeta metadata, string finalizer) =>
        Has(metadata, finalizer) ? null : Patch(metadata, [.. metadata.Finalizers ?? [], finalizer]);

    /// <summary>The patch removing <paramref name="finalizer"/>, or null when it is absent.</summary>
    public static V1Patch? Remove(V1ObjectMeta metadata, string finalizer) =>
        Has(metadata, finalizer) ? Patch(metadata, metadata.Finalizers!.Where(f => f != finalizer).ToList()) : null;

    private static V1Patch Patch(V1ObjectMeta metadata, List<string> finalizers)
    {
        var meta = new JsonObject
        {
            ["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)JsonValue.Create(f)).ToArray()),
        };
        if (!string.IsNullOrEmpty(metadata.ResourceVersion))
        {
            meta["resourceVersion"] = metadata.ResourceVersion;
        }
        var body = new JsonObject { ["metadata"] = meta };
        return new V1Patch(body.ToJsonString(JsonSerializerOptions.Default), V1Patch.PatchType.MergePatch);
    }
}
