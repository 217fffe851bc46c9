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

    /// <summary>
    /// Whether requests are authorized by RBAC over the Roles and bindings in the store, as kube-apiserver with
    /// <c>--authorization-mode=RBAC</c>. Off (every request allowed), the double behaves as a server with
    /// AlwaysAllow. Either way a bearer token must be one the server issued (<see cref="KubeApiServer.IssueToken"/>);
    /// a request without one is the cluster administrator when RBAC is off and <c>system:anonymous</c> when it is on.
    /// </summary>
    public bool Rbac { get; init; }

    /// <summary>The loopback TCP port; default 0 (any free port).</summary>
    public int Port { get; init; }
}
