namespace Isthmus.KubeApiDouble;

/// <summary>
/// A resource request as the API server's request-info resolver sees it.
/// </summary>
/// <param name="Verb">get, list, watch, create, update, patch, delete or deletecollection.</param>
/// <param name="Resource">The resource addressed.</param>
/// <param name="Namespace">The namespace in the URL, if any.</param>
/// <param name="Name">The object name in the URL, if any.</param>
/// <param name="Subresource">The subresource (<c>status</c>), if any.</param>
/// <param name="Path">The URL path.</param>
public sealed record ApiRequest(string Verb, ApiResource Resource, string? Namespace, string? Name, string? Subresource, string Path)
{
    /// <summary>The <c>labelSelector</c> query parameter, if any.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Whether the verb changes state.</summary>
    public bool IsWrite => Verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Verb} {Resource.QualifiedName}{(Namespace is null ? "" : " -n " + Namespace)}{(Name is null ? "" : " " + Name)}{(Subresource is null ? "" : "/" + Subresource)}";
}

/// <summary>A completed resource request and the HTTP status it got.</summary>
/// <param name="Request">The request.</param>
/// <param name="StatusCode">The HTTP status code answered.</param>
public sealed record ApiRequestRecord(ApiRequest Request, int StatusCode)
{
    /// <summary>For a list: how many objects the answer carried.</summary>
    public int? Items { get; init; }
}

/// <summary>An authorization decision: who asked for what, and whether it was allowed.</summary>
/// <param name="User">The authenticated user.</param>
/// <param name="Request">The request.</param>
/// <param name="Allowed">Whether the request passed authorization.</param>
public sealed record AuthorizationRecord(UserInfo User, ApiRequest Request, bool Allowed);

/// <summary>What validating admission is asked about one write.</summary>
/// <param name="Operation">CREATE or UPDATE.</param>
/// <param name="Resource">The resource written.</param>
/// <param name="Subresource">The subresource (<c>status</c>), if any.</param>
/// <param name="Namespace">The object's namespace, if namespaced.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Object">The object as it would be stored.</param>
/// <param name="OldObject">The stored object an update replaces; null on create.</param>
public sealed record AdmissionAttributes(string Operation, ApiResource Resource, string? Subresource, string? Namespace, string Name, System.Text.Json.Nodes.JsonObject Object, System.Text.Json.Nodes.JsonObject? OldObject);
