using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Messages;

public class IkeHeaderTests
{
    private static readonly IkeHeader Sample = new(
        0x0102030405060708, 0x1112131415161718, PayloadType.SecurityAssociation, ExchangeType.IkeSaInit,
        IkeHeaderFlags.Initiator, 0xa1b2c3d4, 300);

    [Fact]
    [Trait("RFC", "7296 3.1")]
    public void Header_is_written_big_endian_in_28_octets()
    {
        var buffer = new byte[IkeHeader.Size];
        Sample.Write(buffer);

        Assert.Equal(
            SampleMessages.Hex("0102030405060708 1112131415161718 21 20 22 08 a1b2c3d4 0000012c"),
            buffer);
    }

    [Fact]
    [Trait("RFC", "7296 3.1")]
    public void Header_round_trips()
    {
        var buffer = new byte[IkeHeader.Size];
        Sample.Write(buffer);

        Assert.True(IkeHeader.TryRead(buffer, out var read, out _));
        Assert.Equal(Sample, read);
        Assert.True(read.IsFromInitiator);
        Assert.False(read.IsResponse);
    }

    [Fact]
    [Trait("RFC", "7296 3.1")]
    public void Header_shorter_than_28_octets_is_truncated()
    {
        var buffer = new byte[IkeHeader.Size];
        Sample.Write(buffer);

        Assert.False(IkeHeader.TryRead(buffer.AsSpan(0, 27), out _, out var error));
        Assert.Equal(ParseErrorCode.Truncated, error.Code);
        Assert.Equal(NotifyType.InvalidSyntax, error.Notify);
    }

    [Theory]
    [Trait("RFC", "7296 2.5")]
    [InlineData(0x10)]
    [InlineData(0x30)]
    [InlineData(0x00)]
    public void Header_with_major_version_other_than_2_is_rejected_and_keeps_the_spis(byte version)
    {
        var buffer = new byte[IkeHeader.Size];
        Sample.Write(buffer);
        buffer[17] = version;

        Assert.False(IkeHeader.TryRead(buffer, out var header, out var error));
        Assert.Equal(ParseErrorCode.InvalidMajorVersion, error.Code);
        Assert.Equal(NotifyType.InvalidMajorVersion, error.Notify);
        Assert.Empty(error.NotifyData);
        Assert.Equal(Sample.InitiatorSpi, header.InitiatorSpi);
        Assert.Equal(Sample.ResponderSpi, header.ResponderSpi);
    }

    [Fact]
    [Trait("RFC", "7296 2.5")]
    public void Header_with_higher_minor_version_is_accepted()
    {
        var buffer = new byte[IkeHeader.Size];
        (Sample with { MinorVersion = 3 }).Write(buffer);

        Assert.True(IkeHeader.TryRead(buffer, out var header, out _));
        Assert.Equal(3, header.MinorVersion);
    }

    [Fact]
    [Trait("RFC", "7296 3.1")]
    public void Header_length_below_28_is_invalid()
    {
        var buffer = new byte[IkeHeader.Size];
        (Sample with { Length = 27 }).Write(buffer);

        Assert.False(IkeHeader.TryRead(buffer, out _, out var error));
        Assert.Equal(ParseErrorCode.InvalidLength, error.Code);
    }

    [Fact]
    [Trait("RFC", "7296 3.1")]
    public void Message_whose_header_length_differs_from_the_datagram_is_rejected()
    {
        var datagram = SampleMessages.StrongSwanIkeSaInitRequest();
        var longer = datagram.Concat(new byte[4]).ToArray();

        Assert.False(IkeMessage.TryDecode(longer, out var message, out var error));
        Assert.Null(message);
        Assert.Equal(ParseErrorCode.LengthMismatch, error.Code);
    }

    [Fact]
    [Trait("RFC", "7296 3.1")]
    public void Message_with_no_payloads_round_trips()
    {
        var message = new IkeMessage(SampleMessages.Header(ExchangeType.Informational, IkeHeaderFlags.Response, 7), []);
        var bytes = message.Encode();

        Assert.Equal(IkeHeader.Size, bytes.Length);
        Assert.True(IkeMessage.TryDecode(bytes, out var decoded, out _));
        Assert.Empty(decoded!.Payloads);
        Assert.Equal(PayloadType.NoNextPayload, decoded.Header.NextPayload);
        Assert.Equal(7u, decoded.Header.MessageId);
    }
}
