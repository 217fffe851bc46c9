using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Messages;

public class ParseErrorTests
{
    [Theory]
    [Trait("RFC", "7296 3.10.1")]
    [InlineData(ParseErrorCode.Truncated, NotifyType.InvalidSyntax)]
    [InlineData(ParseErrorCode.LengthMismatch, NotifyType.InvalidSyntax)]
    [InlineData(ParseErrorCode.InvalidLength, NotifyType.InvalidSyntax)]
    [InlineData(ParseErrorCode.InvalidValue, NotifyType.InvalidSyntax)]
    [InlineData(ParseErrorCode.InvalidSubstructure, NotifyType.InvalidSyntax)]
    [InlineData(ParseErrorCode.NestedEncryptedPayload, NotifyType.InvalidSyntax)]
    [InlineData(ParseErrorCode.EncryptedPayloadNotLast, NotifyType.InvalidSyntax)]
    [InlineData(ParseErrorCode.UnsupportedCriticalPayload, NotifyType.UnsupportedCriticalPayload)]
    [InlineData(ParseErrorCode.InvalidMajorVersion, NotifyType.InvalidMajorVersion)]
    public void Each_error_maps_to_the_notify_a_responder_sends(ParseErrorCode code, NotifyType expected)
    {
        Assert.Equal(expected, new ParseError(code, "reason").Notify);
    }

    [Fact]
    [Trait("RFC", "7296 3.10.1")]
    public void Unsupported_critical_payload_notify_data_is_the_payload_type()
    {
        var error = new ParseError(ParseErrorCode.UnsupportedCriticalPayload, "reason", (PayloadType)200);

        Assert.Equal([200], error.NotifyData);
    }

    [Fact]
    public void Other_errors_carry_no_notify_data()
    {
        Assert.Empty(new ParseError(ParseErrorCode.InvalidLength, "reason", PayloadType.Nonce).NotifyData);
    }
}
