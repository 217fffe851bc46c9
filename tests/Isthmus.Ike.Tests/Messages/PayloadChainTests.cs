using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Messages;

public class PayloadChainTests
{
    private const string Nonce16 = "6e*16";

    [Fact]
    [Trait("RFC", "7296 2.5")]
    public void Unknown_non_critical_payload_is_kept_and_the_chain_continues()
    {
        // N(INITIAL_CONTACT) -> unknown 200 (non-critical) -> Nonce
        var data = SampleMessages.Hex("c8 00 0008 00 00 4000", "28 00 0007 aabbcc", "00 00 0014 " + Nonce16);

        Assert.True(PayloadChain.TryRead(data, PayloadType.Notify, out var payloads, out var error), error.ToString());
        Assert.Equal([PayloadType.Notify, (PayloadType)200, PayloadType.Nonce], payloads.Select(p => p.Type));
        var unknown = Assert.IsType<UnknownPayload>(payloads[1]);
        Assert.Equal([0xaa, 0xbb, 0xcc], unknown.Body);
        Assert.False(unknown.Critical);
    }

    [Fact]
    [Trait("RFC", "7296 2.5")]
    public void Unknown_critical_payload_is_rejected_naming_its_type()
    {
        var data = SampleMessages.Hex("c8 00 0008 00 00 4000", "00 80 0007 aabbcc");

        Assert.False(PayloadChain.TryRead(data, PayloadType.Notify, out _, out var error));
        Assert.Equal(ParseErrorCode.UnsupportedCriticalPayload, error.Code);
        Assert.Equal((PayloadType)200, error.Payload);
        Assert.Equal(NotifyType.UnsupportedCriticalPayload, error.Notify);
        Assert.Equal([200], error.NotifyData);
    }

    [Fact]
    [Trait("RFC", "7296 2.5")]
    public void Unknown_critical_payload_in_a_message_is_rejected_by_TryDecode()
    {
        var message = new IkeMessage(
            SampleMessages.Header(ExchangeType.Informational, IkeHeaderFlags.Initiator, 3),
            [new UnknownPayload((PayloadType)99, [1]) { Critical = true }]);

        Assert.False(IkeMessage.TryDecode(message.Encode(), out _, out var error));
        Assert.Equal(ParseErrorCode.UnsupportedCriticalPayload, error.Code);
        Assert.Equal([99], error.NotifyData);
    }

    [Fact]
    [Trait("RFC", "7296 3.2")]
    public void Reserved_bits_of_the_generic_header_are_ignored()
    {
        var data = SampleMessages.Hex("00 7f 0014 " + Nonce16);

        Assert.True(PayloadChain.TryRead(data, PayloadType.Nonce, out var payloads, out _));
        Assert.False(payloads[0].Critical);
    }

    [Theory]
    [Trait("RFC", "7296 3.2")]
    [InlineData("00 00 0003", ParseErrorCode.InvalidLength)]
    [InlineData("00 00 0000", ParseErrorCode.InvalidLength)]
    [InlineData("00 00 0015 " + Nonce16, ParseErrorCode.Truncated)]
    [InlineData("00 00 ffff " + Nonce16, ParseErrorCode.Truncated)]
    [InlineData("00 00 00", ParseErrorCode.Truncated)]
    [InlineData("", ParseErrorCode.Truncated)]
    [InlineData("00 00 0014 " + Nonce16 + " 00", ParseErrorCode.LengthMismatch)]
    [InlineData("28 00 0014 " + Nonce16, ParseErrorCode.Truncated)]
    public void Generic_payload_header_lengths_are_checked_against_the_bytes_left(string hex, ParseErrorCode expected)
    {
        Assert.False(PayloadChain.TryRead(SampleMessages.Hex(hex), PayloadType.Nonce, out _, out var error));
        Assert.Equal(expected, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void Encrypted_payload_that_is_not_last_is_rejected()
    {
        // SK (next = IDi as inner first) followed by a Nonce
        var data = SampleMessages.Hex("23 00 0008 01020304", "00 00 0014 " + Nonce16);

        Assert.False(PayloadChain.TryRead(data, PayloadType.Encrypted, out _, out var error));
        Assert.Equal(ParseErrorCode.EncryptedPayloadNotLast, error.Code);
        Assert.Equal(PayloadType.Encrypted, error.Payload);
    }

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void Encrypted_payload_after_other_payloads_is_accepted_and_keeps_the_inner_first_type()
    {
        var data = SampleMessages.Hex("2e 00 0008 00 00 4000", "23 00 0008 01020304");

        Assert.True(PayloadChain.TryRead(data, PayloadType.Notify, out var payloads, out var error), error.ToString());
        var sk = Assert.IsType<EncryptedPayload>(payloads[1]);
        Assert.Equal(PayloadType.IdentificationInitiator, sk.InnerFirst);
        Assert.Equal([1, 2, 3, 4], sk.Body);
    }

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void Encrypted_payload_inside_encrypted_plaintext_is_rejected()
    {
        var data = SampleMessages.Hex("2e 00 0008 00 00 4000", "00 00 0008 01020304");

        Assert.False(PayloadChain.TryRead(data, PayloadType.Notify, out _, out var error, insideEncrypted: true));
        Assert.Equal(ParseErrorCode.NestedEncryptedPayload, error.Code);
    }

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void Encrypted_payload_with_an_empty_body_is_rejected()
    {
        Assert.False(PayloadChain.TryRead(SampleMessages.Hex("23 00 0004"), PayloadType.Encrypted, out _, out var error));
        Assert.Equal(ParseErrorCode.InvalidLength, error.Code);
    }

    [Fact]
    [Trait("RFC", "7383 2.5")]
    public void Encrypted_fragment_payload_is_kept_raw_and_must_be_last()
    {
        var last = SampleMessages.Hex("23 00 0008 00010001");
        Assert.True(PayloadChain.TryRead(last, PayloadType.EncryptedFragment, out var payloads, out _));
        Assert.IsType<UnknownPayload>(Assert.Single(payloads));

        var notLast = SampleMessages.Hex("23 00 0008 00010001", "00 00 0014 " + Nonce16);
        Assert.False(PayloadChain.TryRead(notLast, PayloadType.EncryptedFragment, out _, out var error));
        Assert.Equal(ParseErrorCode.EncryptedPayloadNotLast, error.Code);

        Assert.False(PayloadChain.TryRead(last, PayloadType.EncryptedFragment, out _, out error, insideEncrypted: true));
        Assert.Equal(ParseErrorCode.NestedEncryptedPayload, error.Code);
    }

    [Fact]
    [Trait("RFC", "7383 2.5")]
    public void Critical_encrypted_fragment_payload_is_unsupported()
    {
        Assert.False(PayloadChain.TryRead(SampleMessages.Hex("23 80 0008 00010001"), PayloadType.EncryptedFragment, out _, out var error));
        Assert.Equal(ParseErrorCode.UnsupportedCriticalPayload, error.Code);
        Assert.Equal([53], error.NotifyData);
    }

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void Writing_an_encrypted_payload_that_is_not_last_is_refused()
    {
        Payload[] chain = [new EncryptedPayload(PayloadType.Nonce, [1]), new NoncePayload(SampleMessages.Filled(16, 1))];

        Assert.Throws<InvalidOperationException>(() => PayloadChain.Encode(chain));
    }

    [Fact]
    [Trait("RFC", "7296 3.2")]
    public void Writer_links_next_payload_fields_and_ends_with_zero()
    {
        Payload[] chain = [new NotifyPayload(NotifyType.InitialContact), new VendorIdPayload([0xaa])];

        Assert.Equal(SampleMessages.Hex("2b 00 0008 00 00 4000", "00 00 0005 aa"), PayloadChain.Encode(chain));
    }

    [Fact]
    [Trait("RFC", "7296 3.2")]
    public void Every_truncation_of_a_valid_message_is_refused_without_throwing()
    {
        foreach (var (name, bytes) in SampleMessages.All())
        {
            for (int length = 0; length < bytes.Length; length++)
            {
                var prefix = bytes.AsSpan(0, length);
                Assert.False(IkeMessage.TryDecode(prefix, out var message, out var error), $"{name} cut at {length}");
                Assert.Null(message);
                Assert.False(string.IsNullOrEmpty(error.Reason));

                // The same prefix with the header Length patched to match, so the chain itself is cut.
                if (length >= IkeHeader.Size)
                {
                    var patched = prefix.ToArray();
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(patched.AsSpan(24), (uint)length);
                    Assert.False(IkeMessage.TryDecode(patched, out _, out error), $"{name} cut at {length} with patched length");
                    Assert.NotEqual(ParseErrorCode.LengthMismatch, error.Code);
                }
            }
        }
    }

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void Every_truncation_of_an_encrypted_plaintext_chain_is_refused()
    {
        var inner = SampleMessages.IkeAuthRequestInner();
        var bytes = PayloadChain.Encode(inner);

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.False(PayloadChain.TryRead(bytes.AsSpan(0, length), PayloadChain.FirstType(inner), out _, out _, insideEncrypted: true), $"cut at {length}");
        }
    }
}
