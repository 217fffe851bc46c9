using System.Net;

namespace Isthmus.IkeDaemon;

/// <summary>Command-line settings of `isthmus-iked run`.</summary>
public sealed record DaemonOptions
{
    public List<string> ConfigPaths { get; } = [];
    public IPAddress Listen { get; set; } = IPAddress.Any;
    public int IkePort { get; set; } = 500;
    public int NatTPort { get; set; } = 4500;
    public string ControlSocket { get; set; } = DefaultControlSocket;
    public bool DebugKeys { get; set; }

    /// <summary>The dataplane's control socket; when set, every Child SA is installed there.</summary>
    public string? DataplaneSocket { get; set; }
    public TimeSpan RetransmitTimeout { get; set; } = TimeSpan.FromSeconds(4);
    public int RetransmitTries { get; set; } = 5;
    public TimeSpan NatKeepaliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    public const string DefaultControlSocket = "/run/isthmus/iked.sock";
}
