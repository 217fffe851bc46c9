using Isthmus.Ike.Messages;

namespace Isthmus.Ike.Fuzz;

/// <summary>
/// The fuzz target: one datagram through the IKE codec. Any exception escaping <see cref="Run"/>
/// is a crash. Besides "never throw", it checks that whatever decodes re-encodes, that the
/// re-encoded bytes decode again, and that encoding is then stable.
/// </summary>
public static class IkeMessageTarget
{
    public static void Run(ReadOnlySpan<byte> datagram)
    {
        if (!IkeMessage.TryDecode(datagram, out var message, out var error))
        {
            CheckError(error);
            return;
        }

        // Each SK body parsed as if it were the decrypted plaintext.
        foreach (var sk in message!.GetAll<EncryptedPayload>())
        {
            if (PayloadChain.TryRead(sk.Body, sk.InnerFirst, out var inner, out var innerError, insideEncrypted: true))
            {
                var encoded = PayloadChain.Encode(inner);
                if (!PayloadChain.TryRead(encoded, PayloadChain.FirstType(inner), out var again, out innerError, insideEncrypted: true))
                {
                    throw new InvalidOperationException($"re-encoded inner chain does not decode: {innerError}");
                }

                if (!encoded.AsSpan().SequenceEqual(PayloadChain.Encode(again)))
                {
                    throw new InvalidOperationException("inner chain encoding is not stable");
                }
            }
            else
            {
                CheckError(innerError);
            }
        }

        var bytes = message.Encode();
        if (!IkeMessage.TryDecode(bytes, out var reread, out error))
        {
            throw new InvalidOperationException($"re-encoded message does not decode: {error}");
        }

        if (!bytes.AsSpan().SequenceEqual(reread!.Encode()))
        {
            throw new InvalidOperationException("message encoding is not stable");
        }
    }

    private static void CheckError(ParseError error)
    {
        if (string.IsNullOrEmpty(error.Reason))
        {
            throw new InvalidOperationException($"parse error {error.Code} without a reason");
        }

        _ = error.Notify;
        _ = error.NotifyData;
    }
}
