using System.Net;

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

    /// <summary>The TCP port; default 0 (any free port).</summary>
    public int Port { get; init; }

    /// <summary>
    /// The address to listen on; default loopback. Another address serves clients outside this network namespace,
    /// such as a container on a bridge network.
    /// </summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;
}
