using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Isthmus.Esp;
using V1 = Isthmus.Dataplane.Protos.V1;

namespace Isthmus.Dataplane.Protos;

/// <summary>
/// Client of the dataplane control API over its Unix domain socket: what the IKE daemon uses to
/// install SAs and policies and to follow expiry and acquire events. Refusals come back as
/// <see cref="ControlResult"/>; a dataplane that cannot be reached throws <see cref="RpcException"/>.
/// </summary>
public sealed class DataplaneClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly V1.Dataplane.DataplaneClient client;

    public DataplaneClient(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler });
        client = new V1.Dataplane.DataplaneClient(channel);
    }

    public string SocketPath { get; }

    public Task<ControlResult> AddSaAsync(EspSa sa, CancellationToken cancellationToken = default) =>
        ControlAsync(client.AddSaAsync(new V1.AddSaRequest { Sa = ProtoMapping.ToProto(sa) }, cancellationToken: cancellationToken));

    public Task<ControlResult> UpdateSaAsync(EspSa sa, CancellationToken cancellationToken = default) =>
        ControlAsync(client.UpdateSaAsync(new V1.UpdateSaRequest { Sa = ProtoMapping.ToProto(sa) }, cancellationToken: cancellationToken));

    public Task<ControlResult> DeleteSaAsync(uint spi, EspDirection direction, CancellationToken cancellationToken = default) =>
        ControlAsync(client.DeleteSaAsync(new V1.DeleteSaRequest { Spi = spi, Direction = ProtoMapping.ToProto(direction) }, cancellationToken: cancellationToken));

    public Task<ControlResult> AddPolicyAsync(EspPolicy policy, CancellationToken cancellationToken = default) =>
        ControlAsync(client.AddPolicyAsync(new V1.AddPolicyRequest { Policy = ProtoMapping.ToProto(policy) }, cancellationToken: cancellationToken));

    public Task<ControlResult> DeletePolicyAsync(uint policyId, CancellationToken cancellationToken = default) =>
        ControlAsync(client.DeletePolicyAsync(new V1.DeletePolicyRequest { Id = policyId }, cancellationToken: cancellationToken));

    public async Task<IReadOnlyList<EspSaSummary>> ListSasAsync(CancellationToken cancellationToken = default)
    {
        var reply = await client.ListSasAsync(new V1.ListSasRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return reply.Sas.Select(ProtoMapping.FromProto).ToArray();
    }

    public async Task<IReadOnlyList<EspPolicy>> ListPoliciesAsync(CancellationToken cancellationToken = default)
    {
        var reply = await client.ListPoliciesAsync(new V1.ListPoliciesRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var policies = new List<EspPolicy>();
        foreach (var proto in reply.Policies)
        {
            if (ProtoMapping.TryFromProto(proto, out _) is { } policy)
            {
                policies.Add(policy);
            }
        }

        return policies;
    }

    public async Task<CounterSnapshot> GetCountersAsync(CancellationToken cancellationToken = default)
    {
        var reply = await client.GetCountersAsync(new V1.GetCountersRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return ProtoMapping.FromProto(reply);
    }

    /// <summary>Events from the moment of the call until cancelled or the server ends the stream.</summary>
    public async IAsyncEnumerable<DataplaneEvent> WatchEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = client.WatchEvents(new V1.WatchEventsRequest(), cancellationToken: cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            if (!more)
            {
                yield break;
            }

            if (ProtoMapping.FromProto(call.ResponseStream.Current) is { } dataplaneEvent)
            {
                yield return dataplaneEvent;
            }
        }
    }

    public void Dispose() => channel.Dispose();

    private static async Task<ControlResult> ControlAsync(AsyncUnaryCall<V1.ControlReply> call)
    {
        try
        {
            using (call)
            {
                await call.ResponseAsync.ConfigureAwait(false);
                return ControlResult.Ok;
            }
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.AlreadyExists or StatusCode.NotFound or StatusCode.Unimplemented or StatusCode.Internal)
        {
            return new ControlResult(
                e.StatusCode switch
                {
                    StatusCode.InvalidArgument => ControlError.Invalid,
                    StatusCode.AlreadyExists => ControlError.AlreadyExists,
                    StatusCode.NotFound => ControlError.NotFound,
                    StatusCode.Unimplemented => ControlError.Unsupported,
                    _ => ControlError.Failed,
                },
                e.Status.Detail);
        }
    }
}
