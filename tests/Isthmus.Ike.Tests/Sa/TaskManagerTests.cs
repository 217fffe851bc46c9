using System.Buffers.Binary;
using System.Net;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;
using Isthmus.Ike.Sa.Tasks;
using Isthmus.Ike.Tests.Crypto;
using Microsoft.Extensions.Time.Testing;
using TaskStatus = Isthmus.Ike.Sa.Tasks.TaskStatus;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// The task manager of one SA on its own, without an SA table or a peer (RFC 7296 §2.1-§2.3):
/// message IDs, the window of one, retransmission on the injected clock and the response cache.
/// The initiator's exchanges are recording tasks of the test's making, in clear IKE_SA_INIT
/// messages so that no keys are needed:
/// <code>
/// HDR(IKE_SA_INIT, 0), Ni  --&gt;
///                     &lt;--  HDR(IKE_SA_INIT, 0, R), Nr
/// HDR(IKE_SA_INIT, 1), Ni  --&gt;   (only now: the window is one)
/// </code>
/// </summary>
public class TaskManagerTests
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);
    private static readonly IPEndPoint Local = SaPair.InitiatorEndpoint;
    private static readonly IPEndPoint Remote = SaPair.ResponderEndpoint;
    private const string Ike = "aes256gcm16-prfsha384-ecp384";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A task that sends one Nonce payload and counts what the manager asks of it.</summary>
    private sealed class RecordingTask(ExchangeType exchange) : IIkeTask
    {
        public int Builds { get; private set; }
        public int Processed { get; private set; }
        public ExchangeType Exchange => exchange;
        public NotifyPayload? ErrorNotify => null;
        public string? FailureReason => null;

        public TaskStatus Build(List<Payload> message, IkeOutput output)
        {
            Builds++;
            message.Add(new NoncePayload(new byte[RandomSourceExtensions.NonceLength]));
            return TaskStatus.NeedMore;
        }

        public TaskStatus Process(IkeMessage message, IkeOutput output)
        {
            Processed++;
            return TaskStatus.Done;
        }
    }

    private IkeSa Initiator(IkeSaOptions? options = null) =>
        IkeSa.CreateInitiator(SaPair.Standard().InitiatorConfig, Local, Remote, _time, new CryptoRegistry(), new SeededRandomSource(1), options);

    private IkeSa Responder() =>
        IkeSa.CreateResponder([SaPair.Standard().ResponderConfig], Remote, Local, 0x0102030405060708, _time, new CryptoRegistry(),
            new SeededRandomSource(2));

    private static uint MessageId(byte[] datagram) => BinaryPrimitives.ReadUInt32BigEndian(datagram.AsSpan(20));

    private static IkeOutput Deliver(IkeSa sa, byte[] datagram, IPEndPoint from)
    {
        Assert.True(IkeMessage.TryDecode(datagram, out var message, out var error), error.ToString());
        var output = new IkeOutput();
        sa.Tasks.ProcessMessage(datagram, message!, from == Remote ? Local : Remote, from, output);
        return output;
    }

    private static byte[] InitResponse(IkeSa sa, uint messageId) => new IkeMessage(
        new IkeHeader(sa.SpiI, 0x1122334455667788, PayloadType.NoNextPayload, ExchangeType.IkeSaInit, IkeHeaderFlags.Response, messageId, 0),
        [new NoncePayload(new byte[RandomSourceExtensions.NonceLength])]).Encode();

    [Fact]
    [Trait("RFC", "7296 2.1")]
    public void Request_is_retransmitted_with_the_configured_backoff_then_the_SA_closes_as_unreachable()
    {
        // 2 s, then ×1.5 per try, 3 retransmissions; then give up.
        var sa = Initiator(new IkeSaOptions { RetransmitTimeout = TimeSpan.FromSeconds(2), RetransmitBase = 1.5, RetransmitTries = 3 });
        var task = new RecordingTask(ExchangeType.IkeSaInit);
        sa.Tasks.Queue([task]);
        var first = new IkeOutput();
        sa.Tasks.Initiate(first);
        var request = Assert.Single(first.Datagrams).Data;

        foreach (var delay in new[] { 2, 3, 4.5 })
        {
            Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(delay), sa.Tasks.RetransmitAt);
            _time.Advance(TimeSpan.FromSeconds(delay) - Millisecond);
            var early = new IkeOutput();
            Assert.False(sa.Tasks.RetransmitIfDue(early));
            Assert.Empty(early.Datagrams);
            _time.Advance(Millisecond);
            var due = new IkeOutput();
            Assert.True(sa.Tasks.RetransmitIfDue(due));
            Assert.Equal(request, Assert.Single(due.Datagrams).Data);
        }

        _time.Advance(TimeSpan.FromSeconds(6.75));
        var last = new IkeOutput();
        Assert.True(sa.Tasks.RetransmitIfDue(last));
        Assert.Empty(last.Datagrams);
        Assert.Equal(IkeSaState.Closed, sa.State);
        Assert.Contains(last.Events, e => e is IkeSaClosed { Reason: IkeSaCloseReason.PeerUnreachable });
        Assert.Equal(1, task.Builds); // a retransmission is the same bytes, not a new request
        Assert.Equal(0, task.Processed);
    }

    [Fact]
    [Trait("RFC", "7296 2.3")]
    public void Window_of_one_holds_the_next_request_until_the_first_is_answered()
    {
        var sa = Initiator();
        var first = new RecordingTask(ExchangeType.IkeSaInit);
        var second = new RecordingTask(ExchangeType.IkeSaInit);
        sa.Tasks.Queue([first]);
        sa.Tasks.Queue([second]);

        var output = new IkeOutput();
        sa.Tasks.Initiate(output);
        sa.Tasks.Initiate(output);
        Assert.Equal(0u, MessageId(Assert.Single(output.Datagrams).Data));
        Assert.Equal(0, second.Builds);

        var answered = Deliver(sa, InitResponse(sa, 0), Remote);

        Assert.Equal(1, first.Processed);
        Assert.Equal(1, second.Builds);
        Assert.Equal(1u, MessageId(Assert.Single(answered.Datagrams).Data));
        Assert.Equal(1u, sa.Tasks.NextRequestId);
        Assert.False(sa.Tasks.IsIdle);
    }

    [Fact]
    [Trait("RFC", "7296 2.2")]
    public void Response_with_another_message_ID_or_answered_before_is_dropped_without_running_the_task()
    {
        var sa = Initiator();
        var task = new RecordingTask(ExchangeType.IkeSaInit);
        sa.Tasks.Queue([task]);
        sa.Tasks.Initiate(new IkeOutput());
        var retransmitAt = sa.Tasks.RetransmitAt;

        var wrongId = Deliver(sa, InitResponse(sa, 1), Remote);
        Assert.Empty(wrongId.Datagrams);
        Assert.Contains(wrongId.Events, e => e is MessageDropped);
        Assert.Equal(0, task.Processed);
        Assert.Equal(retransmitAt, sa.Tasks.RetransmitAt); // still waiting for response 0

        Deliver(sa, InitResponse(sa, 0), Remote);
        Assert.Equal(1, task.Processed);
        Assert.True(sa.Tasks.IsIdle);

        var duplicate = Deliver(sa, InitResponse(sa, 0), Remote);
        Assert.Contains(duplicate.Events, e => e is MessageDropped);
        Assert.Equal(1, task.Processed);
        Assert.Equal(2, sa.DroppedMessages);
    }

    [Fact]
    [Trait("RFC", "7296 2.1")]
    public void Retransmitted_request_is_answered_from_the_cache_byte_for_byte_without_processing_it_again()
    {
        // HDR(IKE_SA_INIT, 0), SAi1, KEi, Ni  --> twice   <-- HDR(IKE_SA_INIT, 0, R), SAr1, KEr, Nr   twice, same bytes
        var sa = Responder();
        var request = SkCodec.InitRequest([SkCodec.Ike(Ike)], DhGroup.Ecp384, SkCodec.PublicValue(DhGroup.Ecp384), sa.SpiI);

        var response = Assert.Single(Deliver(sa, request, Local).Datagrams).Data;
        var nr = sa.Nr;
        var keys = sa.Keys;
        var again = Deliver(sa, request, Local);

        Assert.Equal(response, Assert.Single(again.Datagrams).Data);
        Assert.Same(nr, sa.Nr);
        Assert.Same(keys, sa.Keys);
        Assert.Equal(1u, sa.Tasks.PeerNextRequestId);
        Assert.Equal(0, sa.DroppedMessages);

        // The same message ID with other content is no retransmission: dropped, not answered.
        var other = SkCodec.InitRequest([SkCodec.Ike(Ike)], DhGroup.Ecp384, SkCodec.PublicValue(DhGroup.Ecp384), sa.SpiI);
        Assert.Empty(Deliver(sa, other, Local).Datagrams);
        Assert.Equal(1, sa.DroppedMessages);
        Assert.Same(keys, sa.Keys);
    }

    [Theory]
    [Trait("RFC", "7296 2.3")]
    [InlineData(2u)]
    [InlineData(7u)]
    public void Request_ahead_of_the_window_is_dropped_and_the_expected_one_still_answered(uint messageId)
    {
        // After IKE_SA_INIT (ID 0) the window admits IKE_AUTH with ID 1 only.
        var sa = Responder();
        Deliver(sa, SkCodec.InitRequest([SkCodec.Ike(Ike)], DhGroup.Ecp384, SkCodec.PublicValue(DhGroup.Ecp384), sa.SpiI), Local);

        var ahead = Deliver(sa, SkCodec.Request(sa, ExchangeType.IkeAuth, messageId, []), Local);

        Assert.Empty(ahead.Datagrams);
        Assert.Contains(ahead.Events, e => e is MessageDropped { Reason: var reason } && reason.Contains("expected 1"));
        Assert.Equal(IkeSaState.Connecting, sa.State);
        Assert.Single(Deliver(sa, SkCodec.Request(sa, ExchangeType.IkeAuth, 1, []), Local).Datagrams);
        Assert.Equal(2u, sa.Tasks.PeerNextRequestId);
    }
}
