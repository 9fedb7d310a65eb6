using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HrmsAttendance.PunchLedger.Data;

/// <summary>
/// The rule for <c>payload_json</c>: a JSON object that Postgres' jsonb stores as sent. System.Text.Json accepts some
/// JSON that jsonb refuses (the escape \u0000, escaped unpaired surrogates, numbers beyond numeric's range or scale);
/// those are refused here, before the database, instead of failing the statement (and with it a whole batch).
/// </summary>
public static class PunchPayload
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxDepth = 64;

    /// <summary>Platform payloads carry ids, epoch milliseconds and coordinates; a longer number is not one of theirs.</summary>
    public const int MaxNumberLength = 64;

    /// <summary>The exponent range of an IEEE 754 double, well inside what jsonb's numeric holds.</summary>
    public const int MaxExponent = 308;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>What is wrong with the payload ("must …" / "is …", to follow "payload_json "), or null when jsonb can hold it.</summary>
    public static string? Problem(string json)
    {
        byte[] utf8;
        try { utf8 = StrictUtf8.GetBytes(json); }
        catch (EncoderFallbackException) { return "must be well-formed Unicode (it has an unpaired surrogate)"; }
        if (utf8.Length > MaxBytes) return $"is larger than {MaxBytes} bytes";

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "must be a JSON object";
            do
            {
                var problem = reader.TokenType switch
                {
                    JsonTokenType.PropertyName or JsonTokenType.String => StringProblem(ref reader),
                    JsonTokenType.Number => NumberProblem(reader.ValueSpan),
                    _ => null,
                };
                if (problem is not null) return problem;
            } while (reader.Read());
        }
        catch (JsonException e)
        {
            return $"is not valid JSON ({e.Message.Split(". ")[0]})";
        }
        return null;
    }

    private static string? StringProblem(ref Utf8JsonReader reader)
    {
        string text;
        try { text = reader.GetString()!; }
        catch (InvalidOperationException) { return "must be well-formed Unicode (it escapes an unpaired surrogate)"; }
        return text.Contains('\0') ? @"must not contain \u0000 (Postgres cannot store it)" : null;
    }

    private static string? NumberProblem(ReadOnlySpan<byte> number)
    {
        if (number.Length > MaxNumberLength) return $"must not contain numbers longer than {MaxNumberLength} characters";
        var e = number.IndexOfAny((byte)'e', (byte)'E');
        if (e < 0) return null;
        return int.TryParse(number[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent)
               && Math.Abs(exponent) <= MaxExponent
            ? null
            : $"must not contain numbers with an exponent beyond ±{MaxExponent}";
    }
}
