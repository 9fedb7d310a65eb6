using System.Text.Unicode;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace HrmsAttendance.StableErrors;

/// <summary>
/// Checks that bytes are a message of a given type exactly as its .proto declares it, before Google.Protobuf parses
/// them: every field number is one the message defines, with the wire type of its declared type (packed or not, for
/// repeated scalars), strings are UTF-8, and nothing is cut short. Google.Protobuf keeps a field it does not know (or
/// one with another wire type) as an unknown field and carries on, so a client that sends a field this contract does
/// not have, or the wrong type, would be served as if it had left the field out; and what it cannot parse it throws,
/// which Grpc.AspNetCore answers with UNKNOWN. Here both are a refusal naming the field.
/// </summary>
public static class ProtobufWire
{
    /// <summary>Google.Protobuf's own default nesting limit.</summary>
    public const int MaxDepth = 100;

    /// <summary>What is wrong with <paramref name="message"/> as a <paramref name="type"/>, naming the field; null when nothing is.</summary>
    public static string? Problem(ReadOnlySpan<byte> message, MessageDescriptor type)
    {
        try
        {
            return MessageProblem(message.ToArray(), type, "", 0);
        }
        catch (InvalidProtocolBufferException e)
        {
            return $"the {type.Name} message is not valid protobuf: {e.Message}";
        }
    }

    private static string? MessageProblem(byte[] bytes, MessageDescriptor type, string path, int depth)
    {
        if (depth > MaxDepth) return $"{Name(path, type)} nests messages deeper than {MaxDepth}";
        var input = new CodedInputStream(bytes);
        var occurrences = new Dictionary<int, int>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var wireType = WireFormat.GetTagWireType(tag);
            if (type.FindFieldByNumber(number) is not { } field)
                return $"{Name(path, type)} has field number {number}, which {type.FullName} does not define";
            var index = occurrences[number] = occurrences.GetValueOrDefault(number) + 1;
            var fieldPath = (path.Length == 0 ? "" : path + ".") + field.Name + (field.IsRepeated ? $"[{index - 1}]" : "");
            if (!Accepts(field, wireType))
                return $"{fieldPath} is sent as wire type {wireType}, but the contract declares it {field.FieldType}";

            if (wireType != WireFormat.WireType.LengthDelimited)
                input.SkipLastField();
            else if (LengthDelimitedProblem(input.ReadBytes().ToByteArray(), field, fieldPath, depth) is { } problem)
                return problem;
        }
        return null;
    }

    private static string? LengthDelimitedProblem(byte[] value, FieldDescriptor field, string path, int depth) => field.FieldType switch
    {
        FieldType.Message => MessageProblem(value, field.MessageType, path, depth + 1),
        FieldType.String => Utf8.IsValid(value) ? null : $"{path} is not valid UTF-8",
        FieldType.Bytes => null,
        _ => PackedProblem(value, field, path),
    };

    /// <summary>Packed repeated scalars: whole values only.</summary>
    private static string? PackedProblem(byte[] value, FieldDescriptor field, string path)
    {
        var width = FixedWidth(field.FieldType);
        if (width > 0)
            return value.Length % width == 0 ? null : $"{path} is a packed field whose length is not a multiple of {width}";
        var input = new CodedInputStream(value);
        while (!input.IsAtEnd) input.ReadUInt64();
        return null;
    }

    private static bool Accepts(FieldDescriptor field, WireFormat.WireType wireType)
    {
        var declared = field.FieldType switch
        {
            FieldType.Message or FieldType.String or FieldType.Bytes => WireFormat.WireType.LengthDelimited,
            FieldType.Group => WireFormat.WireType.StartGroup,
            _ when FixedWidth(field.FieldType) == 4 => WireFormat.WireType.Fixed32,
            _ when FixedWidth(field.FieldType) == 8 => WireFormat.WireType.Fixed64,
            _ => WireFormat.WireType.Varint,
        };
        // Groups are proto2 only; none of ours has one, so a group on the wire is refused rather than walked.
        if (declared == WireFormat.WireType.StartGroup) return false;
        return wireType == declared
            || (field.IsRepeated && wireType == WireFormat.WireType.LengthDelimited && declared != WireFormat.WireType.LengthDelimited);
    }

    private static int FixedWidth(FieldType type) => type switch
    {
        FieldType.Fixed32 or FieldType.SFixed32 or FieldType.Float => 4,
        FieldType.Fixed64 or FieldType.SFixed64 or FieldType.Double => 8,
        _ => 0,
    };

    private static string Name(string path, MessageDescriptor type) => path.Length == 0 ? $"the {type.Name} message" : path;
}
