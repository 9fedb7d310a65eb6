using HrmsAttendance.GrpcWire.Wire;

namespace HrmsAttendance.GrpcWire.Tests;

/// <summary>The small encodings of the protocol, checked byte for byte.</summary>
public class WireEncodingTests
{
    [Theory]
    [InlineData("plain text: ok!", "plain text: ok!")]
    [InlineData("50% done", "50%25 done")]
    [InlineData("工号", "%E5%B7%A5%E5%8F%B7")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("~ and \u007f", "~ and %7F")]
    public void Status_message_encodes_only_bytes_outside_printable_ascii_and_percent(string message, string wire)
    {
        Assert.Equal(wire, StatusMessageEncoding.Encode(message));
        Assert.Equal(message, StatusMessageEncoding.Decode(wire));
    }

    [Theory]
    [InlineData("100%")]      // a lone % at the end
    [InlineData("%zz and %4")] // not hex
    public void Status_message_decoding_keeps_malformed_escapes(string wire) =>
        Assert.Equal(wire, StatusMessageEncoding.Decode(wire));

    [Theory]
    [InlineData("1H", 3600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("3S", 3000)]
    [InlineData("250m", 250)]
    [InlineData("5000u", 5)]
    [InlineData("7000000n", 7)]
    public void Timeout_header_parses_every_unit(string header, int expectedMs)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-1S")]
    [InlineData("123456789S")] // 9 digits
    public void Timeout_header_rejects_malformed_values(string header) =>
        Assert.False(GrpcTimeout.TryParse(header, out _));

    [Fact]
    public void Timeout_header_is_formatted_in_at_most_eight_digits_and_round_trips()
    {
        foreach (var timeout in new[] { TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(1.5), TimeSpan.FromSeconds(30), TimeSpan.FromDays(3), TimeSpan.FromDays(20000) })
        {
            var header = GrpcTimeout.Format(timeout);
            Assert.InRange(header.Length, 2, 9);
            Assert.True(GrpcTimeout.TryParse(header, out var parsed), header);
            Assert.True(parsed >= timeout, $"{header} parsed as {parsed}, shorter than {timeout}");
        }
    }

    [Theory]
    [InlineData("AQID", new byte[] { 1, 2, 3 })]
    [InlineData("AQI", new byte[] { 1, 2 })]     // unpadded
    [InlineData("AQI=", new byte[] { 1, 2 })]    // padded
    [InlineData("AA", new byte[] { 0 })]
    public void Binary_metadata_accepts_padded_and_unpadded_base64(string wire, byte[] value) =>
        Assert.Equal(value, MetadataCodec.DecodeBinary(wire));

    [Fact]
    public void Binary_metadata_is_sent_unpadded() =>
        Assert.Equal("AQI", MetadataCodec.EncodeBinary([1, 2]));

    [Fact]
    public void Metadata_rejects_keys_and_values_the_wire_cannot_carry()
    {
        var metadata = new Metadata();
        Assert.Throws<ArgumentException>(() => metadata.Add("x-data-bin", "text"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-data", [1]));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-text", "工号"));
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("grpc-status", "0"));
        metadata.Add("X-Mixed-Case", "v");
        Assert.Equal("v", metadata.GetValue("x-mixed-case"));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Grpc_content_types_are_recognised(string? contentType, bool expected) =>
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
}
