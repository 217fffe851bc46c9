using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Isthmus.IkeDaemon.Transport;

/// <summary>One received IKE message, with the local endpoint it arrived on (IP_PKTINFO) and its sender.</summary>
public sealed record ReceivedDatagram(byte[] Data, IPEndPoint Local, IPEndPoint Remote);

/// <summary>
/// The daemon's UDP sockets: port 500 for IKE and port 4500 for NAT traversal (RFC 3948). On
/// 4500 an IKE message starts with the four-octet non-ESP marker, which is removed on receipt
/// and added on send; a one-octet 0xFF datagram is a NAT keepalive (§2.3) and anything else is
/// ESP, which belongs to the dataplane and is counted here, never decrypted.
/// </summary>
public sealed class UdpTransport : IAsyncDisposable
{
    private readonly Socket _ike;
    private readonly Socket _natT;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly IPAddress _listen;

    public UdpTransport(IPAddress listen, int ikePort, int natTPort)
    {
        _listen = listen;
        _ike = Bind(listen, ikePort);
        _natT = Bind(listen, natTPort);
        IkePort = ((IPEndPoint)_ike.LocalEndPoint!).Port;
        NatTPort = ((IPEndPoint)_natT.LocalEndPoint!).Port;
    }

    public int IkePort { get; }
    public int NatTPort { get; }
    public long KeepalivesReceived;
    public long EspPacketsIgnored;
    public long RuntsDropped;

    private static Socket Bind(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (address.AddressFamily == AddressFamily.InterNetwork)
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
        else
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(address, port));
        return socket;
    }

    public void Start(ChannelWriter<object> sink)
    {
        _loops.Add(ReceiveLoop(_ike, natT: false, sink));
        _loops.Add(ReceiveLoop(_natT, natT: true, sink));
    }

    private async Task ReceiveLoop(Socket socket, bool natT, ChannelWriter<object> sink)
    {
        var buffer = new byte[65536];
        var any = new IPEndPoint(_listen.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult r;
            try
            {
                r = await socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; } // ICMP errors surface here; keep serving

            var data = buffer.AsSpan(0, r.ReceivedBytes);
            if (natT)
            {
                if (data.Length == 1 && data[0] == 0xFF)
                {
                    Interlocked.Increment(ref KeepalivesReceived);
                    continue;
                }
                if (data.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(data) != 0)
                {
                    // ESP in UDP (RFC 3948): the dataplane's business.
                    Interlocked.Increment(ref EspPacketsIgnored);
                    continue;
                }
                data = data[4..];
            }
            if (data.Length < 28)
            {
                Interlocked.Increment(ref RuntsDropped);
                continue;
            }
            var local = new IPEndPoint(r.PacketInformation.Address, port);
            await sink.WriteAsync(new ReceivedDatagram(data.ToArray(), local, (IPEndPoint)r.RemoteEndPoint));
        }
    }

    /// <summary>Sends an IKE message from the socket of <paramref name="local"/>'s port, adding the non-ESP marker on the NAT-T port.</summary>
    public async ValueTask SendAsync(byte[] message, IPEndPoint local, IPEndPoint remote)
    {
        if (local.Port == NatTPort)
        {
            var framed = new byte[message.Length + 4];
            message.CopyTo(framed, 4);
            await _natT.SendToAsync(framed, SocketFlags.None, remote);
        }
        else
        {
            await _ike.SendToAsync(message, SocketFlags.None, remote);
        }
    }

    /// <summary>A NAT keepalive (RFC 3948 §2.3): one octet 0xFF from the NAT-T port.</summary>
    public ValueTask<int> SendKeepaliveAsync(IPEndPoint remote) => _natT.SendToAsync(new ReadOnlyMemory<byte>([0xFF]), SocketFlags.None, remote);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _ike.Dispose();
        _natT.Dispose();
        try { await Task.WhenAll(_loops); } catch (Exception) { /* loops end on dispose */ }
        _stop.Dispose();
    }
}
