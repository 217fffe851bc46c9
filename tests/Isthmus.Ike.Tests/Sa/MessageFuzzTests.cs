using System.Buffers.Binary;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Property test over the messages of a successful exchange (RFC 7296 §2.21): each is mutated a
/// thousand times with a fixed seed (bit flips, byte edits, truncation, extension with and
/// without a fixed-up header Length, payload length and type edits) and handed to the peer that
/// expects it, in exactly the state in which it expects it:
/// <code>
/// HDR, SAi1, KEi, Ni                    --&gt;   &lt;--  HDR, SAr1, KEr, Nr
/// HDR, SK {IDi, AUTH, SAi2, TSi, TSr}   --&gt;   &lt;--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
/// HDR, SK {D(ESP, SPI)}                 --&gt;   &lt;--  HDR, SK {D(ESP, SPI)}
/// </code>
/// Whatever the mutation, ProcessDatagram never throws; every outcome is an answer (only
/// responses from a responder, only requests from an initiator), a counted drop, or a clean
/// failure of the SA; and no SA is left half-installed.
/// </summary>
public class MessageFuzzTests
{
    private const int Mutations = 1000;
    private const string Ike = "aes128gcm16-prfsha256-curve25519";

    public static TheoryData<int, string> Messages => new()
    {
        { 0, "IKE_SA_INIT request" },
        { 1, "IKE_SA_INIT response" },
        { 2, "IKE_AUTH request" },
        { 3, "IKE_AUTH response" },
        { 4, "INFORMATIONAL request" },
        { 5, "INFORMATIONAL response" },
    };

    [Theory]
    [Trait("RFC", "7296 2.21")]
    [MemberData(nameof(Messages))]
    public void Mutated_message_never_throws_and_is_answered_dropped_or_fails_cleanly(int index, string name)
    {
        var rng = new Random(7296 + index);
        var toResponder = index % 2 == 0;
        var (pair, genuine) = Stage(index);
        int answered = 0, dropped = 0, failed = 0;

        for (var i = 0; i < Mutations; i++)
        {
            var mutated = Mutate(genuine, rng);
            if (mutated.AsSpan().SequenceEqual(genuine)) continue;

            IkeOutput output;
            try
            {
                output = toResponder ? pair.SendToResponder(mutated) : pair.SendToInitiator(mutated);
            }
            catch (Exception e)
            {
                Assert.Fail($"{name} mutation {i} ({Convert.ToHexString(mutated)}) threw {e}");
                return;
            }

            var drop = output.Events.OfType<MessageDropped>().Any();
            var failure = output.Events.OfType<IkeSaClosed>().Any(c => c.Reason == IkeSaCloseReason.Failed && c.Notify is not null);
            var sent = output.Datagrams.Count > 0;
            Assert.True(sent || drop || failure, $"{name} mutation {i} had no visible outcome");
            foreach (var d in output.Datagrams)
            {
                // A responder only answers; an initiator fed a broken response may only go on with its next request.
                Assert.True(IkeHeader.TryRead(d.Data, out var h, out _));
                Assert.True(h.IsResponse == toResponder, $"{name} mutation {i} made the {(toResponder ? "responder" : "initiator")} send a {(h.IsResponse ? "response" : "request")}");
            }
            AssertNoHalfInstalledSa(pair.Initiator);
            AssertNoHalfInstalledSa(pair.Responder);

            if (sent) answered++;
            else if (drop) dropped++;
            else failed++;
            if (!drop || sent || failure) (pair, genuine) = Stage(index); // the target moved on: start again from the same point
        }

        TestContext.Current.SendDiagnosticMessage($"{name}: answered {answered} dropped {dropped} failed {failed}");
        Assert.True(dropped > 0, $"{name}: no mutation was dropped");
        if (index >= 2)
        {
            // Every octet of a protected message is covered by the ICV (or decides where it is):
            // no change of any kind gets past the integrity check (RFC 7296 §3.14).
            Assert.Equal(0, answered);
            Assert.Equal(0, failed);
        }
    }

    /// <summary>A fresh pair that has exchanged the messages before <paramref name="index"/>; message <paramref name="index"/> is taken off the wire.</summary>
    private static (SaPair Pair, byte[] Message) Stage(int index)
    {
        var pair = SaPair.Standard(Ike, options: new IkeSaOptions { CookieThreshold = int.MaxValue });
        pair.Start();
        for (var i = 0; i < Math.Min(index, 4); i++) pair.DeliverOne();
        if (index >= 4)
        {
            var initiator = pair.InitiatorSa!;
            Assert.Equal(IkeSaState.Established, initiator.State);
            pair.InitiatorDoes(o => initiator.DeleteChild(initiator.ChildSas[0], o));
            if (index == 5) pair.DeliverOne();
        }
        return (pair, pair.Wire.Dequeue().Datagram.Data);
    }

    private static void AssertNoHalfInstalledSa(IkeSaManager manager)
    {
        foreach (var sa in manager.Sas)
        {
            Assert.NotEqual(IkeSaState.Closed, sa.State);
            if (sa.ChildSas.Count > 0) Assert.True(sa.State is IkeSaState.Established or IkeSaState.Deleting, $"{sa} has Child SAs in state {sa.State}");
            if (sa.State is IkeSaState.Established)
            {
                Assert.NotNull(sa.Keys);
                Assert.NotNull(sa.Config);
                Assert.NotNull(sa.PeerIdentity);
            }
        }
    }

    private static byte[] Mutate(byte[] genuine, Random rng)
    {
        var data = (byte[])genuine.Clone();
        switch (rng.Next(8))
        {
            case 0: // one to four bit flips
                for (var n = rng.Next(1, 5); n > 0; n--) data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                return data;
            case 1: // a byte set to any value
                data[rng.Next(data.Length)] = (byte)rng.Next(256);
                return data;
            case 2: // truncation
                return data[..rng.Next(data.Length)];
            case 3: // extension
                return [.. data, .. RandomBytes(rng, rng.Next(1, 65))];
            case 4: // truncation or extension with the header Length fixed up, to reach the payload parser
            {
                var resized = rng.Next(2) == 0 && data.Length > IkeHeader.Size
                    ? data[..rng.Next(IkeHeader.Size, data.Length)]
                    : [.. data, .. RandomBytes(rng, rng.Next(1, 65))];
                BinaryPrimitives.WriteUInt32BigEndian(resized.AsSpan(24), (uint)resized.Length);
                return resized;
            }
            case 5: // a payload's length edited
            {
                var offsets = PayloadOffsets(data);
                var at = offsets[rng.Next(offsets.Count)] + 2;
                var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at));
                var edited = rng.Next(2) == 0 ? length + rng.Next(-8, 9) : rng.Next(65536);
                BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), (ushort)edited);
                return data;
            }
            case 6: // a payload's Next Payload type (or the header's) edited, with or without the critical bit
            {
                var offsets = PayloadOffsets(data);
                var at = rng.Next(offsets.Count + 1) is var k && k == offsets.Count ? 16 : offsets[k];
                data[at] = (byte)rng.Next(256);
                if (at != 16 && rng.Next(2) == 0) data[at + 1] ^= 0x80;
                return data;
            }
            default: // a header field set to any value
                data[rng.Next(IkeHeader.Size)] = (byte)rng.Next(256);
                return data;
        }
    }

    /// <summary>Offsets of the generic payload headers of a well-formed message (RFC 7296 §3.2).</summary>
    private static List<int> PayloadOffsets(byte[] data)
    {
        var offsets = new List<int>();
        var next = data[16];
        var offset = IkeHeader.Size;
        while (next != 0 && offset + 4 <= data.Length)
        {
            offsets.Add(offset);
            if (next == 46) break; // SK is last; its Next Payload names the first inner payload
            next = data[offset];
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2));
            if (length < 4) break;
            offset += length;
        }
        return offsets.Count > 0 ? offsets : [IkeHeader.Size];
    }

    private static byte[] RandomBytes(Random rng, int count)
    {
        var bytes = new byte[count];
        rng.NextBytes(bytes);
        return bytes;
    }
}
