namespace Isthmus.IkeDaemon.Status;

/// <summary>The IpsecTunnel a status or Event belongs to, from <c>TunnelConfig.Name</c> ("namespace/name").</summary>
public readonly record struct TunnelKey(string Namespace, string Name)
{
    /// <summary>Splits "namespace/name"; a name without a namespace is in <c>default</c>, as in the manifests.</summary>
    public static TunnelKey Parse(string fullName)
    {
        var slash = fullName.IndexOf('/');
        return slash < 0 ? new TunnelKey("default", fullName) : new TunnelKey(fullName[..slash], fullName[(slash + 1)..]);
    }

    public override string ToString() => $"{Namespace}/{Name}";
}
