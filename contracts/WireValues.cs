using Google.Protobuf.WellKnownTypes;

namespace HrmsAttendance.Contracts;

/// <summary>
/// The rules every service (and the gateway) applies alike to a request's uuids, texts and instants, so that a value
/// one side accepts is the value the other side reads. Each returns what is wrong, for a refusal that starts with the
/// field's name ("person_uuid must be …"), or null when the value is fine.
/// </summary>
public static class WireValues
{
    /// <summary>Length of a UUID in the "D" format: 8-4-4-4-12 hex digits.</summary>
    public const int CanonicalUuidLength = 36;

    /// <summary>
    /// A UUID in exactly the "D" format (8-4-4-4-12, either case) and nothing else: <see cref="Guid.TryParseExact(string?, string?, out Guid)"/>
    /// alone trims surrounding whitespace, so "&lt;uuid&gt; " would name the same person as "&lt;uuid&gt;"; the length check refuses that.
    /// </summary>
    public static bool TryParseCanonicalUuid(string? value, out Guid uuid)
    {
        uuid = Guid.Empty;
        return value is { Length: CanonicalUuidLength } && Guid.TryParseExact(value, "D", out uuid);
    }

    /// <summary>
    /// What no text field may hold: control characters (U+0000–U+001F, U+007F–U+009F; Postgres text cannot hold U+0000,
    /// and no id, name or key contains the others) and unpaired surrogates (not Unicode: they have no UTF-8 form, so the
    /// database driver cannot send them). Null when the text is clean.
    /// </summary>
    public static string? TextProblem(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
                return "must not contain control characters";
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                i++;
            else if (char.IsSurrogate(c))
                return "must be well-formed Unicode (it has an unpaired surrogate)";
        }
        return null;
    }

    /// <summary>The earliest and latest instants a <see cref="Timestamp"/> may carry (0001-01-01T00:00:00Z, 9999-12-31T23:59:59.999999999Z), as .NET can represent them.</summary>
    public const long MinTimestampSeconds = -62_135_596_800;
    public const long MaxTimestampSeconds = 253_402_300_799;

    /// <summary>
    /// A protobuf Timestamp as an instant, when its seconds and nanos are within the well-known type's rules (years 1 to
    /// 9999, nanos 0 to 999,999,999). <see cref="Timestamp.ToDateTimeOffset"/> throws on anything else, which would reach
    /// the caller as UNKNOWN.
    /// </summary>
    public static bool TryReadTimestamp(Timestamp value, out DateTimeOffset instant)
    {
        instant = default;
        if (value.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || value.Nanos is < 0 or > 999_999_999)
            return false;
        instant = value.ToDateTimeOffset();
        return true;
    }
}
