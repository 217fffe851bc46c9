using System.Net;
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

    /// <summary>
    /// Whether requests are authorized by RBAC over the Roles and bindings in the store, as kube-apiserver with
    /// <c>--authorization-mode=RBAC</c>. Off (every request allowed), the double behaves as a server with
    /// AlwaysAllow. Either way a bearer token must be one the server issued (<see cref="KubeApiServer.IssueToken"/>);
    /// a request without one is the cluster administrator when RBAC is off and <c>system:anonymous</c> when it is on.
    /// </summary>
    public bool Rbac { get; init; }

    /// <summary>
    /// Where each Service port is served, as kube-proxy would route it: the double calls validating webhooks that
    /// name a Service at these addresses (the TLS name stays <c>name.namespace.svc</c>).
    /// </summary>
    public ServiceEndpoints Services { get; init; } = new();

    /// <summary>
    /// Serve HTTPS, as a real API server does, with a certificate of its own CA for 127.0.0.1 and localhost
    /// (<see cref="KubeApiServer.CaCertificatePem"/>; <see cref="KubeApiServer.WriteKubeconfig"/> carries it). kubectl
    /// sends a bearer token only over HTTPS.
    /// </summary>
    public bool Tls { get; init; }

    /// <summary>The TCP port; default 0 (any free port).</summary>
    public int Port { get; init; }

    /// <summary>
    /// The address to listen on; default loopback. Another address serves clients outside this network namespace,
    /// such as a container on a bridge network.
    /// </summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;
}
