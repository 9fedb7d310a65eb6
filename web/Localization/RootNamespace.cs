using Microsoft.Extensions.Localization;

// The assembly is "Web" but its resources are named from the root namespace (HrmsAttendance.Web.Localization.SharedResource).
[assembly: RootNamespace("HrmsAttendance.Web")]
