using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Identity.V1;

namespace HrmsAttendance.IdentityMapping.Model;

/// <summary>
/// The rules every request field must meet, one method per kind of field. Each returns the value in the
/// service's vocabulary or throws <see cref="IdentityErrors.InvalidArgument"/> naming the field, before
/// any database work: a bad request changes nothing. Lengths count characters (Unicode code points), as
/// Postgres' char_length does. Control characters and unpaired surrogates are refused everywhere
/// (<see cref="WireValues.TextProblem"/>: Postgres text cannot hold NUL, and no platform id or name contains them).
/// </summary>
public static class Inputs
{
    public const int MaxEmployeeNumberLength = 64;
    public const int MaxDisplayNameLength = 200;
    public const int MaxExternalUserIdLength = 128;
    public const int MaxUnionIdLength = 128;
    public const int MaxSearchLength = 200;
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    public const int MaxResolveBatch = 1000;

    public const string Dingtalk = "DINGTALK";
    public const string Wecom = "WECOM";

    /// <summary>1 to 64 characters, no surrounding whitespace (" E001" and "E001" would look like one number).</summary>
    public static string EmployeeNumber(string value)
    {
        Text(value, "employee_number", MaxEmployeeNumberLength);
        if (value.Trim() != value)
            throw IdentityErrors.Invalid("employee_number must not start or end with whitespace");
        return value;
    }

    /// <summary>1 to 200 characters, not only whitespace.</summary>
    public static string DisplayName(string value)
    {
        Text(value, "display_name", MaxDisplayNameLength);
        if (string.IsNullOrWhiteSpace(value))
            throw IdentityErrors.Invalid("display_name must not be only whitespace");
        return value;
    }

    /// <summary>Empty means "keep the current name" (UpdatePerson).</summary>
    public static string? OptionalDisplayName(string value) => value.Length == 0 ? null : DisplayName(value);

    public static Guid PersonUuid(string value, string field = "person_uuid")
    {
        if (!WireValues.TryParseCanonicalUuid(value, out var id) || id == Guid.Empty)
            throw IdentityErrors.Invalid($"{field} must be a canonical UUID, got '{Shorten(value)}'");
        return id;
    }

    /// <summary>
    /// A platform user id, kept exactly as given: 1 to 128 characters, no control characters. Not trimmed,
    /// not case-folded: " u1" and "U1" are other ids than "u1" (resolution is exact).
    /// </summary>
    public static string ExternalUserId(string value, string field = "external_user_id")
    {
        Text(value, field, MaxExternalUserIdLength);
        return value;
    }

    /// <summary>Optional: empty means none.</summary>
    public static string? UnionId(string value)
    {
        if (value.Length == 0) return null;
        Text(value, "union_id", MaxUnionIdLength);
        return value;
    }

    /// <summary>Empty means "everyone".</summary>
    public static string? Search(string value)
    {
        if (value.Length == 0) return null;
        if (CodePoints(value) > MaxSearchLength)
            throw IdentityErrors.Invalid($"search must be at most {MaxSearchLength} characters");
        if (WireValues.TextProblem(value) is { } problem)
            throw IdentityErrors.Invalid("search " + problem);
        return value;
    }

    /// <summary>0 means the default (50); at most 500.</summary>
    public static int PageSize(int value) => value switch
    {
        0 => DefaultPageSize,
        > 0 and <= MaxPageSize => value,
        _ => throw IdentityErrors.Invalid($"page_size must be between 0 and {MaxPageSize}, got {value}"),
    };

    /// <summary>DINGTALK or WECOM; UNSPECIFIED and unknown values are refused.</summary>
    public static string Provider(IdentityProvider value) =>
        ProviderOrNull(value) ?? throw IdentityErrors.Invalid("provider must be IDENTITY_PROVIDER_DINGTALK or IDENTITY_PROVIDER_WECOM");

    /// <summary>For filters: UNSPECIFIED means every provider (null).</summary>
    public static string? ProviderFilter(IdentityProvider value) => value == IdentityProvider.Unspecified
        ? null
        : ProviderOrNull(value) ?? throw IdentityErrors.Invalid("provider must be UNSPECIFIED, DINGTALK or WECOM");

    public static IdentityProvider ProviderToWire(string provider) => provider switch
    {
        Dingtalk => IdentityProvider.Dingtalk,
        Wecom => IdentityProvider.Wecom,
        _ => IdentityProvider.Unspecified,
    };

    /// <summary>Parses DINGTALK / WECOM in any case (HTTP query strings); null when neither.</summary>
    public static string? ParseProvider(string value) => value.ToUpperInvariant() switch
    {
        Dingtalk => Dingtalk,
        Wecom => Wecom,
        _ => null,
    };

    private static string? ProviderOrNull(IdentityProvider value) => value switch
    {
        IdentityProvider.Dingtalk => Dingtalk,
        IdentityProvider.Wecom => Wecom,
        _ => null,
    };

    private static void Text(string value, string field, int maxLength)
    {
        if (value.Length == 0)
            throw IdentityErrors.Invalid($"{field} is required");
        if (CodePoints(value) > maxLength)
            throw IdentityErrors.Invalid($"{field} must be at most {maxLength} characters");
        if (WireValues.TextProblem(value) is { } problem)
            throw IdentityErrors.Invalid($"{field} {problem}");
    }

    public static int CodePoints(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes()) count++;
        return count;
    }

    public static bool HasControlCharacter(string value) => value.Any(char.IsControl);

    public static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
