using Microsoft.Extensions.Localization;

namespace HrmsAttendance.Web.Localization;

/// <summary>
/// What a stable error code means to the person who met it: the text of <c>Error.CODE</c> when the code has its own,
/// else the text of its kind (the part after the family, e.g. <c>…_INVALID_ARGUMENT</c>), else a general one.
/// </summary>
public static class ErrorExplanations
{
    private static readonly string[] Families = ["GATEWAY_", "ADJUSTMENT_", "AUDIT_", "STAFFING_", "IDENTITY_", "RESULTS_", "IMPORT_ROW_", "IMPORT_", "DINGTALK_", "WECOM_", "WEB_", "GRPC_"];

    public static string Explain(IStringLocalizer localizer, string code)
    {
        var own = localizer["Error." + code];
        if (!own.ResourceNotFound) return own.Value;
        var family = Families.FirstOrDefault(prefix => code.StartsWith(prefix, StringComparison.Ordinal));
        if (family is not null)
        {
            var kind = localizer["ErrorKind." + code[family.Length..]];
            if (!kind.ResourceNotFound) return kind.Value;
        }
        return localizer["ErrorKind.Other"].Value;
    }
}
