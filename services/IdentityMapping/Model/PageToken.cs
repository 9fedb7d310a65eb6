using System.Buffers.Text;
using System.Globalization;
using System.Text;
using HrmsAttendance.Contracts;

namespace HrmsAttendance.IdentityMapping.Model;

/// <summary>
/// Opaque page tokens: base64url of the sort key of the last row of a page, so the next page starts right
/// after it (keyset paging: stable under inserts, no OFFSET scans). A version tag per list keeps tokens of
/// one list from being taken by another. Fields are separated by '\n', which no key field can contain
/// (control characters are refused on input).
/// </summary>
public static class PageToken
{
    private const string PersonsTag = "p1";
    private const string UnmappedTag = "u1";
    private const string LinkedIdsTag = "l1";

    /// <summary>The position after a linked user id (the sort key, byte order).</summary>
    public static string ForLinkedIds(string lastExternalUserId) => Encode(LinkedIdsTag, lastExternalUserId);

    public static string? ParseLinkedIds(string token)
    {
        if (token.Length == 0) return null;
        var fields = Decode(token, LinkedIdsTag, 1);
        return fields[0].Length > 0 ? fields[0] : throw BadToken();
    }

    /// <summary>The position after a person: its employee number (unique per tenant, the sort key).</summary>
    public static string ForPersons(string lastEmployeeNumber) => Encode(PersonsTag, lastEmployeeNumber);

    /// <summary>Null for an empty token (first page).</summary>
    public static string? ParsePersons(string token)
    {
        if (token.Length == 0) return null;
        var fields = Decode(token, PersonsTag, 1);
        return fields[0].Length > 0 ? fields[0] : throw BadToken();
    }

    /// <summary>The position after an unmapped id: (last_seen_at DESC, provider, external_user_id).</summary>
    public static string ForUnmapped(UnmappedPosition last) => Encode(UnmappedTag,
        last.LastSeenAt.UtcTicks.ToString(CultureInfo.InvariantCulture), last.Provider, last.ExternalUserId);

    public static UnmappedPosition? ParseUnmapped(string token)
    {
        if (token.Length == 0) return null;
        var fields = Decode(token, UnmappedTag, 3);
        if (!long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ||
            ticks > DateTimeOffset.MaxValue.UtcTicks ||
            Inputs.ParseProvider(fields[1]) != fields[1] || fields[2].Length == 0)
            throw BadToken();
        return new UnmappedPosition(new DateTimeOffset(ticks, TimeSpan.Zero), fields[1], fields[2]);
    }

    private static string Encode(string tag, params string[] fields) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('\n', [tag, .. fields])));

    private static string[] Decode(string token, string tag, int fieldCount)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException) { throw BadToken(); }
        catch (ArgumentException) { throw BadToken(); }
        var parts = text.Split('\n');
        // A forged token could carry what the queries cannot take (U+0000 fails the statement): fields are what the
        // service itself wrote, never control characters.
        if (parts.Length != fieldCount + 1 || parts[0] != tag || parts.Any(part => WireValues.TextProblem(part) is not null))
            throw BadToken();
        return parts[1..];
    }

    private static IdentityException BadToken() =>
        IdentityErrors.Invalid("page_token is not a token this list issued; pass next_page_token unchanged or leave it empty");
}

/// <summary>Where a page of the unmapped queue ended.</summary>
public sealed record UnmappedPosition(DateTimeOffset LastSeenAt, string Provider, string ExternalUserId);
