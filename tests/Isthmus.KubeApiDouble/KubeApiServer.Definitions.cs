using System.Text.Json.Nodes;
using Isthmus.ApiExtensions.Definitions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// CustomResourceDefinitions through the API, the admission of writes (custom resources against their CRD's schema,
/// CRDs against the API server's CRD validation), and the authorization seam.
/// </summary>
public sealed partial class KubeApiServer
{
    private static bool IsDefinitions(ApiResource resource) => resource == ApiResources.CustomResourceDefinitions;

    /// <summary>Stores the CRD of every resource the options define by one, as the API server lists them.</summary>
    private void SeedDefinitions()
    {
        if (Store.FindResource("apiextensions.k8s.io", "v1", "customresourcedefinitions") is null)
        {
            return;
        }

        foreach (var resource in Store.Resources.Where(r => r.Definition is not null))
        {
            Store.Seed(resource.Definition!);
        }
    }

    /// <summary>What a create, update or patch of <paramref name="resource"/> goes through besides storage.</summary>
    private static IObjectAdmission? Admission(ApiResource resource, StringValues fieldValidation, bool patch)
    {
        if (IsDefinitions(resource))
        {
            return new DefinitionAdmission();
        }

        return resource.Schema is { } schema
            ? new CustomResourceAdmission(resource, schema, CustomResourceAdmission.Parse(fieldValidation.ToString()), patch)
            : null;
    }

    /// <summary>
    /// After a CRD was stored: serve the resource it defines (in place of the one it defined before, if that differs)
    /// and set its status to NamesAccepted and Established, as the API server's controllers do.
    /// </summary>
    private JsonObject Establish(JsonObject stored, JsonObject? previous)
    {
        var resource = CustomResourceDefinitions.Served(stored);
        if (previous is not null && CustomResourceDefinitions.Served(previous) is var before && before != resource)
        {
            Store.StopServing(before);
        }

        Store.Serve(resource);
        return Store.Mutate(ApiResources.CustomResourceDefinitions, null, Meta.Name(stored)!,
            crd => CustomResourceDefinitions.SetEstablished(crd, Options.Time.GetUtcNow()));
    }

    private void StopServing(JsonObject definition) => Store.StopServing(CustomResourceDefinitions.Served(definition));

    /// <summary>A CRD written through the API: defaulted, then validated as the API server validates it.</summary>
    private sealed class DefinitionAdmission : IObjectAdmission
    {
        public void Decode(JsonObject proposed) => CustomResourceDefinitions.Default(proposed);

        public void Validate(JsonObject next, JsonObject? current, bool status)
        {
            if (status)
            {
                return;
            }

            var errors = current is null
                ? CustomResourceDefinitionValidator.ValidateCreate(next)
                : CustomResourceDefinitionValidator.ValidateUpdate(next, current);
            if (errors.Count > 0)
            {
                throw ApiStatusException.Invalid(ApiResources.CustomResourceDefinitions, Meta.Name(next) ?? "", errors);
            }
        }
    }
}
