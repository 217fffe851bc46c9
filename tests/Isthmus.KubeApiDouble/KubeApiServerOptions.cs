using Microsoft.AspNetCore.Http;

namespace Isthmus.KubeApiDouble;

/// <summary>Settings of a <see cref="KubeApiServer"/>.</summary>
public sealed class KubeApiServerOptions
{
    /// <summary>The resources served; default <see cref="ApiResources.All"/>.</summary>
    public IReadOnlyList<ApiResource> Resources { get; init; } = ApiResources.All;

    /// <summary>The clock for creation and deletion timestamps; default the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How often watches that asked for bookmarks get one; default one second.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The loopback TCP port; default 0 (any free port).</summary>
    public int Port { get; init; }

    /// <summary>
    /// Decides whether a resource request may be served, before anything else happens to it: null to allow, or the
    /// reason to refuse it with 403 Forbidden (<c>&lt;resource&gt; "&lt;name&gt;" is forbidden: &lt;reason&gt;</c>). The
    /// seam for RBAC per ServiceAccount (the headers carry the caller's credentials); default: everything is allowed.
    /// </summary>
    public Func<ApiRequest, IHeaderDictionary, string?>? Authorize { get; init; }
}
