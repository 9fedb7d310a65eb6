using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace HrmsAttendance.StableErrors.Tests;

/// <summary>
/// <see cref="ProtobufWire"/> on messages Google.Protobuf ships (so these tests need no contract of ours): what it accepts is
/// what Google.Protobuf parses without dropping anything; what it refuses names the field.
/// </summary>
public class ProtobufWireTests
{
    private static byte[] Tag(int field, int wireType) => [(byte)(field << 3 | wireType)];

    [Fact]
    public void A_message_as_its_type_declares_it_passes()
    {
        var value = new Struct { Fields = { ["a"] = Value.ForString("é"), ["b"] = Value.ForList(Value.ForNumber(1), Value.ForBool(true)) } };

        Assert.Null(ProtobufWire.Problem(value.ToByteArray(), Struct.Descriptor));
        Assert.Null(ProtobufWire.Problem([], Struct.Descriptor));
    }

    [Fact]
    public void A_repeated_number_passes_packed_and_unpacked()
    {
        // SourceCodeInfo.Location.path is `repeated int32 path = 1 [packed = true]`.
        var packed = new SourceCodeInfo.Types.Location { Path = { 1, 300, 7 } }.ToByteArray();
        byte[] unpacked = [.. Tag(1, 0), 1, .. Tag(1, 0), 0xAC, 0x02, .. Tag(1, 0), 7];

        Assert.Null(ProtobufWire.Problem(packed, SourceCodeInfo.Types.Location.Descriptor));
        Assert.Null(ProtobufWire.Problem(unpacked, SourceCodeInfo.Types.Location.Descriptor));
        Assert.Equal([1, 300, 7], SourceCodeInfo.Types.Location.Parser.ParseFrom(unpacked).Path);
    }

    [Fact]
    public void A_packed_field_of_broken_varints_is_refused() =>
        Assert.NotNull(ProtobufWire.Problem([.. Tag(1, 2), 2, 0x80, 0x80], SourceCodeInfo.Types.Location.Descriptor));

    [Fact]
    public void A_field_number_the_type_does_not_define_is_named_with_its_place()
    {
        // Field 9 inside the first (and only) Location of SourceCodeInfo.location (field 1).
        byte[] location = [.. Tag(9, 0), 1];
        byte[] info = [.. Tag(1, 2), (byte)location.Length, .. location];

        Assert.Equal("location[0] has field number 9, which google.protobuf.SourceCodeInfo.Location does not define",
            ProtobufWire.Problem(info, SourceCodeInfo.Descriptor));
    }

    [Fact]
    public void A_field_with_another_wire_type_is_named() =>
        // Duration.seconds (int64) sent as bytes: Google.Protobuf would keep it as an unknown field and read seconds 0.
        Assert.StartsWith("seconds is sent as wire type LengthDelimited", ProtobufWire.Problem([.. Tag(1, 2), 1, 5], Duration.Descriptor));

    [Fact]
    public void A_string_that_is_not_UTF8_is_named() =>
        Assert.Equal("value is not valid UTF-8", ProtobufWire.Problem([.. Tag(1, 2), 2, 0xC3, 0x28], StringValue.Descriptor));

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x80 })]       // a length cut short
    [InlineData(new byte[] { 0x0A, 0x05, 0x61 })] // a length beyond the message
    [InlineData(new byte[] { 0x00 })]             // tag 0
    public void Bytes_that_are_not_protobuf_are_refused(byte[] bytes) =>
        Assert.StartsWith("the StringValue message is not valid protobuf", ProtobufWire.Problem(bytes, StringValue.Descriptor));
}
