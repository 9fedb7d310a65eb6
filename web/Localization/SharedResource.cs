namespace HrmsAttendance.Web.Localization;

/// <summary>The pages' texts: <c>SharedResource.resx</c> (English) and <c>SharedResource.zh-CN.resx</c> (Chinese, the default culture).</summary>
public sealed class SharedResource;
