using Grpc.Core;
using Isthmus.Dataplane.Protos;
using Isthmus.Esp;
using V1 = Isthmus.Dataplane.Protos.V1;

namespace Isthmus.Dataplane.Api;

/// <summary>
/// The gRPC service <c>isthmus.dataplane.v1.Dataplane</c> over an <see cref="IEspBackend"/>.
/// Refusals become gRPC statuses; logs name SAs by SPI and direction only, never keys.
/// </summary>
public sealed class DataplaneService(IEspBackend backend, ILogger<DataplaneService> logger) : V1.Dataplane.DataplaneBase
{
    public override async Task<V1.ControlReply> AddSa(V1.AddSaRequest request, ServerCallContext context)
    {
        var sa = ProtoMapping.TryFromProto(request.Sa, out string error) ?? throw Refuse(ControlResult.Invalid(error));
        var result = await backend.AddSaAsync(sa, context.CancellationToken);
        return Reply(result, "add SA", sa.ToString());
    }

    public override async Task<V1.ControlReply> UpdateSa(V1.UpdateSaRequest request, ServerCallContext context)
    {
        var sa = ProtoMapping.TryFromProto(request.Sa, out string error) ?? throw Refuse(ControlResult.Invalid(error));
        var result = await backend.UpdateSaAsync(sa, context.CancellationToken);
        return Reply(result, "update SA", sa.ToString());
    }

    public override async Task<V1.ControlReply> DeleteSa(V1.DeleteSaRequest request, ServerCallContext context)
    {
        if (!ProtoMapping.TryDirection(request.Direction, out var direction))
        {
            throw Refuse(ControlResult.Invalid("direction must be INBOUND or OUTBOUND"));
        }

        var result = await backend.DeleteSaAsync(request.Spi, direction, context.CancellationToken);
        return Reply(result, "delete SA", $"spi 0x{request.Spi:x8} {direction}");
    }

    public override async Task<V1.ControlReply> AddPolicy(V1.AddPolicyRequest request, ServerCallContext context)
    {
        var policy = ProtoMapping.TryFromProto(request.Policy, out string error) ?? throw Refuse(ControlResult.Invalid(error));
        var result = await backend.AddPolicyAsync(policy, context.CancellationToken);
        return Reply(result, "add policy", policy.ToString());
    }

    public override async Task<V1.ControlReply> DeletePolicy(V1.DeletePolicyRequest request, ServerCallContext context)
    {
        var result = await backend.DeletePolicyAsync(request.Id, context.CancellationToken);
        return Reply(result, "delete policy", $"id {request.Id}");
    }

    public override async Task<V1.ListSasReply> ListSas(V1.ListSasRequest request, ServerCallContext context)
    {
        var reply = new V1.ListSasReply();
        reply.Sas.Add((await backend.ListSasAsync(context.CancellationToken)).Select(ProtoMapping.ToProto));
        return reply;
    }

    public override async Task<V1.ListPoliciesReply> ListPolicies(V1.ListPoliciesRequest request, ServerCallContext context)
    {
        var reply = new V1.ListPoliciesReply();
        reply.Policies.Add((await backend.ListPoliciesAsync(context.CancellationToken)).Select(ProtoMapping.ToProto));
        return reply;
    }

    public override async Task<V1.GetCountersReply> GetCounters(V1.GetCountersRequest request, ServerCallContext context) =>
        ProtoMapping.ToProto(await backend.GetCountersAsync(context.CancellationToken));

    public override async Task WatchEvents(V1.WatchEventsRequest request, IServerStreamWriter<V1.Event> responseStream, ServerCallContext context)
    {
        try
        {
            await foreach (var dataplaneEvent in backend.ReadEventsAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(ProtoMapping.ToProto(dataplaneEvent), context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away.
        }
    }

    private static RpcException Refuse(ControlResult result) => new(new Status(
        result.Error switch
        {
            ControlError.Invalid => StatusCode.InvalidArgument,
            ControlError.AlreadyExists => StatusCode.AlreadyExists,
            ControlError.NotFound => StatusCode.NotFound,
            ControlError.Unsupported => StatusCode.Unimplemented,
            _ => StatusCode.Internal,
        },
        result.Detail));

    private V1.ControlReply Reply(ControlResult result, string operation, string subject)
    {
        if (!result.IsOk)
        {
            logger.LogWarning("Refused to {Operation} {Subject}: {Result}", operation, subject, result);
            throw Refuse(result);
        }

        logger.LogInformation("{Operation}: {Subject}", operation, subject);
        return new V1.ControlReply();
    }
}
