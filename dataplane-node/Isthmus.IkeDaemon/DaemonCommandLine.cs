using System.Globalization;
using System.Net;
using Isthmus.IkeDaemon.Status;

namespace Isthmus.IkeDaemon;

/// <summary>The flags of <c>isthmus-iked run</c>, parsed; the operator's tests parse the IKE pod's arguments with it.</summary>
public static class DaemonCommandLine
{
    /// <summary>
    /// Parses the arguments after <c>run</c>. Throws <see cref="ArgumentException"/> naming the flag on an unknown flag,
    /// a missing or malformed value, no <c>--config</c>, or connection flags without <c>--kube-status</c>.
    /// </summary>
    public static (DaemonOptions Options, KubernetesStatusOptions Kube) ParseRun(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var list = args.ToArray();
        var options = new DaemonOptions();
        var kube = new KubernetesStatusOptions();
        for (var i = 0; i < list.Length; i++)
        {
            if (kube.TryParse(list, ref i)) continue;
            var flag = list[i];
            switch (flag)
            {
                case "--config": options.ConfigPaths.Add(Value(list, ref i)); break;
                case "--listen":
                    var text = Value(list, ref i);
                    options.Listen = IPAddress.TryParse(text, out var a) ? a : throw new ArgumentException($"--listen: '{text}' is not an IP address");
                    break;
                case "--ike-port": options.IkePort = Port(flag, Value(list, ref i)); break;
                case "--natt-port": options.NatTPort = Port(flag, Value(list, ref i)); break;
                case "--control": options.ControlSocket = Value(list, ref i); break;
                case "--retransmit-timeout":
                    var seconds = Value(list, ref i);
                    options.RetransmitTimeout = double.TryParse(seconds, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s) && s > 0 && s <= 3600
                        ? TimeSpan.FromSeconds(s)
                        : throw new ArgumentException($"--retransmit-timeout: '{seconds}' is not a number of seconds (0-3600)");
                    break;
                case "--retransmit-tries":
                    var tries = Value(list, ref i);
                    options.RetransmitTries = int.TryParse(tries, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 100
                        ? n
                        : throw new ArgumentException($"--retransmit-tries: '{tries}' is not a number from 1 to 100");
                    break;
                case "--debug-keys": options.DebugKeys = true; break;
                case "--dataplane": options.DataplaneSocket = Value(list, ref i); break;
                default: throw new ArgumentException($"unknown option '{flag}'");
            }
        }
        if (options.ConfigPaths.Count == 0) throw new ArgumentException("run needs at least one --config PATH");
        kube.Validate();
        return (options, kube);
    }

    private static string Value(string[] args, ref int i) =>
        i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");

    private static int Port(string flag, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new ArgumentException($"{flag}: '{text}' is not a port (1-65535)");
}
