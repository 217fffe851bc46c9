using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// The double's storage: every object as a <see cref="JsonObject"/>, one global resourceVersion counter (as etcd's
/// revision), a bounded history of changes for watches, and the write semantics of the API server's generic
/// registry (optimistic concurrency, generation, status subresource, finalizers and deletionTimestamp, garbage
/// collection by ownerReferences). Objects kept here are never mutated in place: each write stores a new object.
/// </summary>
public sealed partial class ObjectStore
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<ApiResource, SortedDictionary<string, JsonObject>> _objects = [];
    private readonly List<ApiResource> _resources;
    private long _resourceVersion;

    /// <summary>Creates a store serving the given resources, with the namespaces <c>default</c>, <c>kube-system</c> and <c>kube-node-lease</c>.</summary>
    public ObjectStore(IEnumerable<ApiResource> resources, TimeProvider time)
    {
        _time = time;
        _resources = resources.ToList();
        foreach (var r in _resources)
        {
            _objects[r] = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        }

        if (FindResource("", "v1", "namespaces") is null)
        {
            throw new ArgumentException("the namespaces resource is required", nameof(resources));
        }

        foreach (var ns in new[] { "default", "kube-system", "kube-node-lease" })
        {
            Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }
    }

    /// <summary>The resources served (a snapshot: CustomResourceDefinitions add and remove resources).</summary>
    public IReadOnlyList<ApiResource> Resources
    {
        get
        {
            lock (_gate)
            {
                return _resources.ToList();
            }
        }
    }


    /// <summary>The latest resourceVersion handed out.</summary>
    public long CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Finds a served resource by group, version and plural name.</summary>
    public ApiResource? FindResource(string group, string version, string plural)
    {
        lock (_gate)
        {
            return _resources.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);
        }
    }

    /// <summary>Finds a served resource by <c>apiVersion</c> and <c>kind</c>.</summary>
    public ApiResource? FindByKind(string apiVersion, string kind)
    {
        lock (_gate)
        {
            return _resources.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);
        }
    }

    /// <summary>
    /// Serves <paramref name="resource"/> from now on, in place of a resource with the same group, version and plural
    /// (whose objects it keeps), as an established CustomResourceDefinition does.
    /// </summary>
    public void Serve(ApiResource resource)
    {
        lock (_gate)
        {
            var at = _resources.IndexOf(resource);
            if (at >= 0)
            {
                _resources[at] = resource;
            }
            else
            {
                _resources.Add(resource);
                _objects[resource] = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// Stops serving <paramref name="resource"/>, as the API server does once a CustomResourceDefinition is deleted:
    /// every object of it is deleted (watchers see DELETED, finalizers are not waited for) and its watches end.
    /// </summary>
    public void StopServing(ApiResource resource)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(resource, out var objects))
            {
                return;
            }

            foreach (var o in objects.Values.ToList())
            {
                var final = (JsonObject)o.DeepClone();
                objects.Remove(Meta.Key(Meta.Namespace(o), Meta.Name(o)!));
                _resourceVersion++;
                Meta.Of(final)["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture);
                Record(resource, o, final, "DELETED");
            }

            foreach (var sub in _watchers.Where(w => w.Resource == resource).ToList())
            {
                sub.End(abort: false);
                _watchers.Remove(sub);
            }

            _objects.Remove(resource);
            _resources.Remove(resource);
        }
    }

    // ---- test API -------------------------------------------------------------------------------------------

    /// <summary>
    /// Stores an object as a test fixture, bypassing validation of status: its resource is found from
    /// <c>apiVersion</c> and <c>kind</c>, server metadata (uid, creationTimestamp, generation, resourceVersion) is
    /// filled in, <c>status</c> is kept, and watchers see ADDED (or MODIFIED when it replaces an existing object).
    /// </summary>
    public JsonObject Seed(JsonObject obj)
    {
        var resource = FindByKind(Meta.Str(obj, "apiVersion") ?? "", Meta.Str(obj, "kind") ?? "")
            ?? throw new ArgumentException("the object's apiVersion and kind name no served resource", nameof(obj));
        var stored = (JsonObject)obj.DeepClone();
        var meta = Meta.Of(stored);
        var name = Meta.Name(stored) ?? throw new ArgumentException("the object has no metadata.name", nameof(obj));
        var ns = resource.Namespaced ? Meta.Namespace(stored) ?? "default" : null;
        lock (_gate)
        {
            var existing = _objects[resource].GetValueOrDefault(Meta.Key(ns, name));
            meta["uid"] = existing is not null ? Meta.Uid(existing) : Guid.NewGuid().ToString();
            meta["creationTimestamp"] ??= Meta.Timestamp(_time.GetUtcNow());
            if (ns is not null)
            {
                meta["namespace"] = ns;
            }

            if (resource.TracksGeneration)
            {
                meta["generation"] = existing is null ? 1 : Meta.Generation(existing) + 1;
            }

            if (resource == SecretResource)
            {
                NormalizeSecret(stored);
            }

            Commit(resource, existing, stored, existing is null ? "ADDED" : "MODIFIED");
            return (JsonObject)stored.DeepClone();
        }
    }

    /// <summary>Reads an object directly (a copy), or null (also when the resource is not served).</summary>
    public JsonObject? Read(ApiResource resource, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(resource, out var objects) && objects.TryGetValue(Meta.Key(resource.Namespaced ? ns : null, name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    /// <summary>Reads every object of a resource (copies), ordered by namespace and name; none when it is not served.</summary>
    public IReadOnlyList<JsonObject> ReadAll(ApiResource resource, string? ns = null)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(resource, out var objects)
                ? objects.Values.Where(o => ns is null || Meta.Namespace(o) == ns).Select(o => (JsonObject)o.DeepClone()).ToList()
                : [];
        }
    }

    /// <summary>
    /// Changes an object as a test fixture (e.g. a node turning NotReady): the action edits a copy, which is stored
    /// with a new resourceVersion, status included; generation follows the spec as on any write.
    /// </summary>
    public JsonObject Mutate(ApiResource resource, string? ns, string name, Action<JsonObject> edit)
    {
        lock (_gate)
        {
            var key = Meta.Key(resource.Namespaced ? ns : null, name);
            var current = _objects[resource].GetValueOrDefault(key) ?? throw ApiStatusException.NotFound(resource, name);
            var next = (JsonObject)current.DeepClone();
            edit(next);
            KeepServerMetadata(resource, current, next);
            if (resource.TracksGeneration && SpecChanged(current, next))
            {
                Meta.Of(next)["generation"] = Meta.Generation(current) + 1;
            }

            FinishUpdate(resource, current, next);
            return (JsonObject)next.DeepClone();
        }
    }

    // ---- API operations -------------------------------------------------------------------------------------

    /// <summary>POST to a collection: 201 with the stored object, 409 AlreadyExists, 404 when the namespace is missing.</summary>
    public JsonObject Create(ApiResource resource, string? ns, JsonObject body, IObjectAdmission? admission = null)
    {
        CheckKind(resource, body);
        var obj = (JsonObject)body.DeepClone();
        admission?.Decode(obj);
        var meta = Meta.Of(obj);
        ValidateMetadata(resource, obj);
        var bodyNs = Meta.Namespace(obj);
        if (resource.Namespaced)
        {
            ns ??= bodyNs ?? throw ApiStatusException.BadRequest("the namespace of the object is required");
            if (bodyNs is not null && bodyNs != ns)
            {
                throw ApiStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
            ns = null;
        }

        lock (_gate)
        {
            if (resource.Namespaced && !_objects[NamespaceResource].ContainsKey(Meta.Key(null, ns!)))
            {
                throw new ApiStatusException(404, "NotFound", $"namespaces \"{ns}\" not found", NamespaceResource, ns);
            }

            var name = Meta.Name(obj);
            if (string.IsNullOrEmpty(name))
            {
                var generateName = Meta.Str(meta, "generateName");
                if (string.IsNullOrEmpty(generateName))
                {
                    throw Invalid(resource, "", "metadata.name: Required value: name or generateName is required");
                }

                do
                {
                    name = generateName + RandomSuffix();
                }
                while (_objects[resource].ContainsKey(Meta.Key(ns, name)));
                meta["name"] = name;
            }

            ValidateName(resource, name);
            if (_objects[resource].ContainsKey(Meta.Key(ns, name)))
            {
                throw ApiStatusException.AlreadyExists(resource, name);
            }

            if (NamespaceIsTerminating(ns))
            {
                throw new ApiStatusException(403, "Forbidden",
                    $"{resource.QualifiedName} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", resource, name);
            }

            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Meta.Timestamp(_time.GetUtcNow());
            meta.Remove("deletionTimestamp");
            meta.Remove("deletionGracePeriodSeconds");
            meta.Remove("selfLink");
            if (resource.TracksGeneration)
            {
                meta["generation"] = 1L;
            }
            else
            {
                meta.Remove("generation");
            }

            ResetStatusOnCreate(resource, obj);
            if (resource == SecretResource)
            {
                NormalizeSecret(obj);
            }

            admission?.Validate(obj, null, status: false);
            Commit(resource, null, obj, "ADDED");
            return (JsonObject)obj.DeepClone();
        }
    }

    /// <summary>GET an object: 404 NotFound when absent.</summary>
    public JsonObject Get(ApiResource resource, string? ns, string name)
    {
        return Read(resource, ns, name) ?? throw ApiStatusException.NotFound(resource, name);
    }

    /// <summary>GET a collection: a <c>&lt;Kind&gt;List</c> at the current resourceVersion, filtered by the selectors.</summary>
    public JsonObject List(ApiResource resource, string? ns, LabelSelector labels, FieldSelector fields)
    {
        lock (_gate)
        {
            var items = new JsonArray();
            foreach (var o in _objects[resource].Values)
            {
                if ((ns is null || Meta.Namespace(o) == ns) && labels.Matches(o) && fields.Matches(o))
                {
                    items.Add(o.DeepClone());
                }
            }

            return new JsonObject
            {
                ["kind"] = resource.Kind + "List",
                ["apiVersion"] = resource.ApiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = items,
            };
        }
    }

    /// <summary>
    /// PUT an object (or its <c>/status</c>): a stale <c>metadata.resourceVersion</c> is a 409 Conflict; an empty one
    /// is an unconditional update. On the main resource, <c>status</c> is ignored when the resource has a status
    /// subresource; on <c>/status</c>, only <c>status</c> changes. Generation increments when the spec changes.
    /// </summary>
    public JsonObject Replace(ApiResource resource, string? ns, string name, JsonObject body, bool status, IObjectAdmission? admission = null)
    {
        CheckKind(resource, body);
        return Update(resource, ns, name, status, _ => (JsonObject)body.DeepClone(), admission);
    }

    /// <summary>
    /// PATCH an object (or its <c>/status</c>) with a merge patch, a strategic merge patch (applied as a merge patch;
    /// refused for custom resources, as the API server does) or a JSON patch. A <c>metadata.resourceVersion</c> in the
    /// patched result that differs from the stored one is a 409 Conflict.
    /// </summary>
    public JsonObject Patch(ApiResource resource, string? ns, string name, string contentType, JsonNode? patch, bool status, IObjectAdmission? admission = null)
    {
        var apply = Patcher(resource, contentType, patch);
        return Update(resource, ns, name, status, apply, admission);
    }

    /// <summary>The patch as a function of the current object (merge, strategic merge or JSON patch, as <see cref="Patch"/> applies it).</summary>
    public static Func<JsonObject, JsonObject> Patcher(ApiResource resource, string contentType, JsonNode? patch)
    {
        var mediaType = contentType.Split(';')[0].Trim();
        Func<JsonObject, JsonNode?> apply = mediaType switch
        {
            "application/merge-patch+json" => current => JsonPatches.MergePatch(current, patch),
            "application/strategic-merge-patch+json" when !resource.IsCustomResource => current => JsonPatches.MergePatch(current, patch),
            "application/json-patch+json" => current => JsonPatches.JsonPatch(current, patch),
            _ => throw ApiStatusException.UnsupportedMediaType(mediaType),
        };
        return current => apply(current) as JsonObject ?? throw ApiStatusException.BadRequest("the patched object is not a JSON object");
    }

    /// <summary>
    /// DELETE an object. With finalizers it gets a <c>deletionTimestamp</c> (and a new generation) and stays until the
    /// finalizers list is emptied; without, it goes at once and its dependents (by ownerReferences) are collected,
    /// unless <c>propagationPolicy</c> is Orphan. Preconditions (uid, resourceVersion) in the options are honoured.
    /// </summary>
    /// <returns>The object (pending or deleted) and whether it is gone.</returns>
    public (JsonObject Object, bool Deleted) Delete(ApiResource resource, string? ns, string name, JsonObject? options)
    {
        lock (_gate)
        {
            var key = Meta.Key(resource.Namespaced ? ns : null, name);
            var current = _objects[resource].GetValueOrDefault(key) ?? throw ApiStatusException.NotFound(resource, name);
            if (options?["preconditions"] is JsonObject pre)
            {
                if (Meta.Str(pre, "uid") is { } uid && uid != Meta.Uid(current))
                {
                    throw new ApiStatusException(409, "Conflict",
                        $"Operation cannot be fulfilled on {resource.QualifiedName} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {Meta.Uid(current)}", resource, name);
                }

                if (Meta.Str(pre, "resourceVersion") is { } rv && rv != Meta.ResourceVersion(current))
                {
                    throw new ApiStatusException(409, "Conflict",
                        $"Operation cannot be fulfilled on {resource.QualifiedName} \"{name}\": Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {Meta.ResourceVersion(current)}", resource, name);
                }
            }

            var orphan = options is not null && Meta.Str(options, "propagationPolicy") == "Orphan";
            var result = DeleteLocked(resource, current, orphan);
            return ((JsonObject)result.DeepClone(), !_objects[resource].ContainsKey(key));
        }
    }

    /// <summary>DELETE a collection: deletes every selected object as <see cref="Delete"/> does; returns the list of them.</summary>
    public JsonObject DeleteCollection(ApiResource resource, string? ns, LabelSelector labels, FieldSelector fields)
    {
        lock (_gate)
        {
            var items = new JsonArray();
            foreach (var o in _objects[resource].Values.Where(o => (ns is null || Meta.Namespace(o) == ns) && labels.Matches(o) && fields.Matches(o)).ToList())
            {
                items.Add(DeleteLocked(resource, o, orphan: false).DeepClone());
            }

            return new JsonObject
            {
                ["kind"] = resource.Kind + "List",
                ["apiVersion"] = resource.ApiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = items,
            };
        }
    }

    // ---- internals ------------------------------------------------------------------------------------------

    private ApiResource NamespaceResource => _resources.First(r => r.Group.Length == 0 && r.Plural == "namespaces");

    private ApiResource? SecretResource => _resources.FirstOrDefault(r => r.Group.Length == 0 && r.Plural == "secrets");

    private JsonObject Update(ApiResource resource, string? ns, string name, bool status, Func<JsonObject, JsonObject> propose, IObjectAdmission? admission)
    {
        lock (_gate)
        {
            var key = Meta.Key(resource.Namespaced ? ns : null, name);
            var current = _objects[resource].GetValueOrDefault(key) ?? throw ApiStatusException.NotFound(resource, name);
            var proposed = propose((JsonObject)current.DeepClone());
            admission?.Decode(proposed);
            ValidateMetadata(resource, proposed);
            var proposedName = Meta.Name(proposed);
            if (proposedName is not null && proposedName != name)
            {
                throw ApiStatusException.BadRequest($"the name of the object ({proposedName}) does not match the name on the URL ({name})");
            }

            var proposedNs = Meta.Namespace(proposed);
            if (resource.Namespaced && proposedNs is not null && proposedNs != ns)
            {
                throw ApiStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            var proposedRv = Meta.ResourceVersion(proposed);
            if (!string.IsNullOrEmpty(proposedRv) && proposedRv != Meta.ResourceVersion(current))
            {
                throw ApiStatusException.Conflict(resource, name);
            }

            JsonObject next;
            if (status)
            {
                next = (JsonObject)current.DeepClone();
                if (proposed["status"] is { } newStatus)
                {
                    next["status"] = newStatus.DeepClone();
                }
                else
                {
                    next.Remove("status");
                }
            }
            else
            {
                next = proposed;
                if (resource.HasStatusSubresource)
                {
                    if (current["status"] is { } oldStatus)
                    {
                        next["status"] = oldStatus.DeepClone();
                    }
                    else
                    {
                        next.Remove("status");
                    }
                }

                KeepServerMetadata(resource, current, next);
                if (resource == SecretResource)
                {
                    NormalizeSecret(next);
                }

                if (resource.TracksGeneration && SpecChanged(current, next))
                {
                    Meta.Of(next)["generation"] = Meta.Generation(current) + 1;
                }
            }

            if (Meta.IsDeleting(current))
            {
                var added = Meta.Finalizers(next).Except(Meta.Finalizers(current)).ToList();
                if (added.Count > 0)
                {
                    throw Invalid(resource, name,
                        $"metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{\"{string.Join("\", \"", added)}\"}}");
                }
            }

            admission?.Validate(next, current, status);
            Meta.Of(next)["resourceVersion"] = Meta.ResourceVersion(current);
            if (JsonNode.DeepEquals(current, next))
            {
                // A no-op write keeps the resourceVersion and sends no watch event, as on a real server.
                return (JsonObject)current.DeepClone();
            }

            FinishUpdate(resource, current, next);
            return (JsonObject)next.DeepClone();
        }
    }

    private void FinishUpdate(ApiResource resource, JsonObject current, JsonObject next)
    {
        if (Meta.IsDeleting(next) && Meta.Finalizers(next).Count == 0)
        {
            Remove(resource, current, next, orphan: false);
        }
        else
        {
            Commit(resource, current, next, "MODIFIED");
        }
    }

    private JsonObject DeleteLocked(ApiResource resource, JsonObject current, bool orphan)
    {
        if (Meta.Finalizers(current).Count > 0)
        {
            if (Meta.IsDeleting(current))
            {
                return current;
            }

            var next = (JsonObject)current.DeepClone();
            var meta = Meta.Of(next);
            meta["deletionTimestamp"] = Meta.Timestamp(_time.GetUtcNow());
            meta["deletionGracePeriodSeconds"] = 0;
            if (resource.TracksGeneration)
            {
                meta["generation"] = Meta.Generation(current) + 1;
            }

            Commit(resource, current, next, "MODIFIED");
            return next;
        }

        if (resource == NamespaceResource)
        {
            return DeleteNamespace(current);
        }

        var final = (JsonObject)current.DeepClone();
        Remove(resource, current, final, orphan);
        return final;
    }

    private JsonObject DeleteNamespace(JsonObject current)
    {
        var ns = Meta.Name(current)!;
        var terminating = (JsonObject)current.DeepClone();
        if (!Meta.IsDeleting(current))
        {
            Meta.Of(terminating)["deletionTimestamp"] = Meta.Timestamp(_time.GetUtcNow());
            terminating["status"] = new JsonObject { ["phase"] = "Terminating" };
            Commit(NamespaceResource, current, terminating, "MODIFIED");
        }

        foreach (var r in _resources.Where(r => r.Namespaced))
        {
            foreach (var o in _objects[r].Values.Where(o => Meta.Namespace(o) == ns).ToList())
            {
                DeleteLocked(r, o, orphan: false);
            }
        }

        FinishNamespaceIfEmpty(ns);
        return terminating;
    }

    private bool NamespaceIsTerminating(string? ns) =>
        ns is not null && _objects[NamespaceResource].TryGetValue(Meta.Key(null, ns), out var n) && Meta.IsDeleting(n);

    private void FinishNamespaceIfEmpty(string ns)
    {
        if (!_objects[NamespaceResource].TryGetValue(Meta.Key(null, ns), out var n) || !Meta.IsDeleting(n))
        {
            return;
        }

        if (_resources.Where(r => r.Namespaced).Any(r => _objects[r].Values.Any(o => Meta.Namespace(o) == ns)))
        {
            return;
        }

        Remove(NamespaceResource, n, (JsonObject)n.DeepClone(), orphan: true);
    }

    private void Remove(ApiResource resource, JsonObject current, JsonObject final, bool orphan)
    {
        _objects[resource].Remove(Meta.Key(Meta.Namespace(current), Meta.Name(current)!));
        _resourceVersion++;
        Meta.Of(final)["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture);
        Record(resource, current, final, "DELETED");
        if (resource.Namespaced && Meta.Namespace(current) is { } ns)
        {
            FinishNamespaceIfEmpty(ns);
        }

        if (!orphan)
        {
            CollectGarbage();
        }
    }

    /// <summary>Deletes every object whose owners (by ownerReferences uid) are all gone, until none is left.</summary>
    private void CollectGarbage()
    {
        while (true)
        {
            var live = new HashSet<string>(_objects.Values.SelectMany(m => m.Values).Select(o => Meta.Uid(o) ?? ""));
            var orphaned = _resources
                .SelectMany(r => _objects[r].Values.Select(o => (Resource: r, Object: o)))
                .Where(x => !Meta.IsDeleting(x.Object) && Meta.OwnerUids(x.Object) is { Count: > 0 } owners && owners.All(u => !live.Contains(u)))
                .ToList();
            if (orphaned.Count == 0)
            {
                return;
            }

            foreach (var (r, o) in orphaned)
            {
                DeleteLocked(r, o, orphan: false);
            }
        }
    }

    private void Commit(ApiResource resource, JsonObject? current, JsonObject next, string type)
    {
        _resourceVersion++;
        Meta.Of(next)["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture);
        _objects[resource][Meta.Key(Meta.Namespace(next), Meta.Name(next)!)] = next;
        Record(resource, current, next, type);
    }

    private static void KeepServerMetadata(ApiResource resource, JsonObject current, JsonObject next)
    {
        next["apiVersion"] = resource.ApiVersion;
        next["kind"] = resource.Kind;
        var oldMeta = Meta.Of(current);
        var meta = Meta.Of(next);
        foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            if (oldMeta[field] is { } value)
            {
                meta[field] = value.DeepClone();
            }
            else
            {
                meta.Remove(field);
            }
        }

        meta.Remove("selfLink");
    }

    private static bool SpecChanged(JsonObject current, JsonObject next)
    {
        var keys = current.Select(p => p.Key).Concat(next.Select(p => p.Key))
            .Where(k => k is not ("metadata" or "status" or "apiVersion" or "kind")).Distinct();
        return keys.Any(k => !JsonNode.DeepEquals(current[k], next[k]));
    }

    private static void ResetStatusOnCreate(ApiResource resource, JsonObject obj)
    {
        switch (resource)
        {
            case { Group: "", Plural: "pods" }:
                obj["status"] = new JsonObject { ["phase"] = "Pending" };
                break;
            case { Group: "", Plural: "namespaces" }:
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case { Group: "", Plural: "nodes" }:
                break;
            case { HasStatusSubresource: true }:
                obj.Remove("status");
                break;
        }
    }

    /// <summary>Moves <c>stringData</c> into <c>data</c> (base64), defaults <c>type</c> to Opaque, as the API server does for Secrets.</summary>
    private static void NormalizeSecret(JsonObject secret)
    {
        if (secret["stringData"] is JsonObject stringData)
        {
            var data = secret["data"] as JsonObject ?? new JsonObject();
            foreach (var (k, v) in stringData)
            {
                data[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v is JsonValue s && s.TryGetValue<string>(out var text) ? text : ""));
            }

            secret["data"] = data;
        }

        secret.Remove("stringData");
        if (Meta.Str(secret, "type") is null)
        {
            secret["type"] = "Opaque";
        }
    }

    private static void CheckKind(ApiResource resource, JsonObject body)
    {
        var apiVersion = Meta.Str(body, "apiVersion");
        var kind = Meta.Str(body, "kind");
        if ((apiVersion is not null && apiVersion != resource.ApiVersion) || (kind is not null && kind != resource.Kind))
        {
            throw ApiStatusException.BadRequest($"the API version in the data ({apiVersion}) or kind ({kind}) does not match the expected {resource.ApiVersion}, Kind={resource.Kind}");
        }

        body["apiVersion"] = resource.ApiVersion;
        body["kind"] = resource.Kind;
    }

    private static void ValidateMetadata(ApiResource resource, JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            throw Invalid(resource, "", "metadata: Required value");
        }

        var name = Meta.Name(obj) ?? "";
        foreach (var field in new[] { "labels", "annotations" })
        {
            if (meta[field] is null)
            {
                continue;
            }

            if (meta[field] is not JsonObject map || map.Any(p => p.Value is not JsonValue v || !v.TryGetValue<string>(out _)))
            {
                throw Invalid(resource, name, $"metadata.{field}: Invalid value: must be a map of strings");
            }
        }

        if (meta["finalizers"] is { } finalizers && (finalizers is not JsonArray a || a.Any(n => n is not JsonValue v || !v.TryGetValue<string>(out _))))
        {
            throw Invalid(resource, name, "metadata.finalizers: Invalid value: must be a list of strings");
        }
    }

    private static void ValidateName(ApiResource resource, string name)
    {
        var ok = name.Length is > 0 and <= 253 && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
            && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.');
        if (!ok)
        {
            throw Invalid(resource, name,
                $"metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        }
    }

    private static ApiStatusException Invalid(ApiResource resource, string name, string message) =>
        ApiStatusException.Invalid(resource, name, message);

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
            }
        });
    }
}
