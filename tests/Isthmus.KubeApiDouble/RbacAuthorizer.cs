using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>Who makes a request, as the API server's authenticators describe a user.</summary>
/// <param name="Name">The user name, e.g. <c>system:serviceaccount:isthmus-system:isthmus-operator</c>.</param>
/// <param name="Groups">The user's groups.</param>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups)
{
    /// <summary>The cluster administrator: in <c>system:masters</c>, which RBAC never refuses.</summary>
    public static UserInfo Admin { get; } = new("kubernetes-admin", ["system:masters", "system:authenticated"]);

    /// <summary>A request without credentials.</summary>
    public static UserInfo Anonymous { get; } = new("system:anonymous", ["system:unauthenticated"]);

    /// <summary>A ServiceAccount's user, with the groups the token authenticator gives it.</summary>
    public static UserInfo ServiceAccount(string @namespace, string name) => new(
        $"system:serviceaccount:{@namespace}:{name}",
        ["system:serviceaccounts", $"system:serviceaccounts:{@namespace}", "system:authenticated"]);

    /// <summary>The ServiceAccount's namespace and name when this user is one.</summary>
    public (string Namespace, string Name)? AsServiceAccount()
    {
        var parts = Name.Split(':');
        return parts is ["system", "serviceaccount", var ns, var sa] ? (ns, sa) : null;
    }
}

/// <summary>
/// The RBAC authorizer of kube-apiserver over the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings in the
/// store: a request is allowed when a rule bound to the user (directly, through a group, or as a ServiceAccount)
/// covers its API group, resource (<c>resource/subresource</c> for a subresource), verb and, where the rule names
/// them, the object's name. <c>system:masters</c> is always allowed. A refusal reads as the real one does:
/// <c>User "…" cannot patch resource "ipsectunnels" in API group "ipsec.isthmus.dev" in the namespace "default"</c>.
/// </summary>
public sealed class RbacAuthorizer(ObjectStore store)
{
    /// <summary>Throws a 403 Forbidden <see cref="ApiStatusException"/> unless <paramref name="user"/> may make <paramref name="request"/>.</summary>
    public void Authorize(UserInfo user, ApiRequest request)
    {
        if (Allows(user, request))
        {
            return;
        }
        var resource = request.Resource;
        var what = request.Subresource is null ? resource.Plural : $"{resource.Plural}/{request.Subresource}";
        var scope = request.Namespace is null ? "at the cluster scope" : $"in the namespace \"{request.Namespace}\"";
        var reason = $"User \"{user.Name}\" cannot {request.Verb} resource \"{what}\" in API group \"{resource.Group}\" {scope}";
        var subject = request.Name is null ? resource.QualifiedName : $"{resource.QualifiedName} \"{request.Name}\"";
        throw new ApiStatusException(403, "Forbidden", $"{subject} is forbidden: {reason}", resource, request.Name);
    }

    /// <summary>Whether <paramref name="user"/> may make <paramref name="request"/>.</summary>
    public bool Allows(UserInfo user, ApiRequest request)
    {
        if (user.Groups.Contains("system:masters"))
        {
            return true;
        }
        var resource = request.Subresource is null ? request.Resource.Plural : $"{request.Resource.Plural}/{request.Subresource}";
        foreach (var rules in RulesFor(user, request.Namespace))
        {
            foreach (var rule in rules)
            {
                if (Covers(rule, request.Resource.Group, resource, request.Verb, request.Name))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>The rule lists that apply to <paramref name="user"/> in <paramref name="namespace"/> (cluster-wide ones always).</summary>
    private IEnumerable<JsonArray> RulesFor(UserInfo user, string? @namespace)
    {
        foreach (var binding in ListAll("rbac.authorization.k8s.io", "clusterrolebindings", null))
        {
            if (Binds(binding, user, bindingNamespace: null) && RoleRules(binding, null) is { } rules)
            {
                yield return rules;
            }
        }
        if (@namespace is null)
        {
            yield break;
        }
        foreach (var binding in ListAll("rbac.authorization.k8s.io", "rolebindings", @namespace))
        {
            if (Binds(binding, user, @namespace) && RoleRules(binding, @namespace) is { } rules)
            {
                yield return rules;
            }
        }
    }

    private JsonArray? RoleRules(JsonObject binding, string? @namespace)
    {
        var roleRef = binding["roleRef"] as JsonObject;
        var kind = roleRef?["kind"]?.GetValue<string>();
        var name = roleRef?["name"]?.GetValue<string>();
        if (name is null)
        {
            return null;
        }
        JsonObject? role = kind switch
        {
            "ClusterRole" => TryGet("rbac.authorization.k8s.io", "clusterroles", null, name),
            "Role" when @namespace is not null => TryGet("rbac.authorization.k8s.io", "roles", @namespace, name),
            _ => null,
        };
        return role?["rules"] as JsonArray;
    }

    private static bool Binds(JsonObject binding, UserInfo user, string? bindingNamespace)
    {
        var serviceAccount = user.AsServiceAccount();
        foreach (var subject in (binding["subjects"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var kind = subject["kind"]?.GetValue<string>();
            var name = subject["name"]?.GetValue<string>();
            switch (kind)
            {
                case "User" when name == user.Name:
                case "Group" when name is not null && user.Groups.Contains(name):
                    return true;
                case "ServiceAccount" when serviceAccount is { } sa:
                    // A ServiceAccount subject in a RoleBinding defaults to the binding's namespace.
                    var ns = subject["namespace"]?.GetValue<string>() ?? bindingNamespace;
                    if (sa.Name == name && sa.Namespace == ns)
                    {
                        return true;
                    }
                    break;
            }
        }
        return false;
    }

    private static bool Covers(JsonNode? ruleNode, string group, string resource, string verb, string? name)
    {
        if (ruleNode is not JsonObject rule)
        {
            return false;
        }
        if (!Contains(rule["apiGroups"], group) || !Contains(rule["verbs"], verb) || !Contains(rule["resources"], resource))
        {
            return false;
        }
        if (rule["resourceNames"] is JsonArray names && names.Count > 0)
        {
            // A rule limited to names covers requests about one named object only (never list, watch or create).
            return name is not null && names.Any(n => n?.GetValue<string>() == name);
        }
        return true;
    }

    private static bool Contains(JsonNode? list, string value) =>
        list is JsonArray array && array.Any(v => v?.GetValue<string>() is { } s && (s == "*" || s == value));

    private IEnumerable<JsonObject> ListAll(string group, string plural, string? @namespace)
    {
        if (store.FindResource(group, "v1", plural) is not { } resource)
        {
            return [];
        }
        var list = store.List(resource, @namespace, LabelSelector.Parse(default), FieldSelector.Parse(default, resource));
        return (list["items"] as JsonArray)?.OfType<JsonObject>() ?? [];
    }

    private JsonObject? TryGet(string group, string plural, string? @namespace, string name)
    {
        if (store.FindResource(group, "v1", plural) is not { } resource)
        {
            return null;
        }
        try
        {
            return store.Get(resource, @namespace, name);
        }
        catch (ApiStatusException e) when (e.Code == 404)
        {
            return null;
        }
    }
}
