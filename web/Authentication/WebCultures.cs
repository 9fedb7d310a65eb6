using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace HrmsAttendance.Web.Authentication;

/// <summary>Chinese (the default) and English: a chosen language (cookie) wins, then the user's locale claim, then the browser's.</summary>
public static class WebCultures
{
    public const string Default = "zh-CN";
    public static readonly string[] Supported = ["zh-CN", "en"];

    public static RequestLocalizationOptions Options()
    {
        var options = new RequestLocalizationOptions()
            .SetDefaultCulture(Default)
            .AddSupportedCultures(Supported)
            .AddSupportedUICultures(Supported);
        options.FallBackToParentCultures = true;
        options.FallBackToParentUICultures = true;
        options.RequestCultureProviders =
        [
            new CookieRequestCultureProvider(),
            new CustomRequestCultureProvider(context =>
                Task.FromResult(context.User.FindFirst(UserClaims.Locale)?.Value is { Length: > 0 } locale && IsSupported(locale)
                    ? new ProviderCultureResult(locale)
                    : null)),
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
        return options;
    }

    private static bool IsSupported(string locale)
    {
        try
        {
            var culture = CultureInfo.GetCultureInfo(locale);
            return Supported.Any(name => culture.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
                || culture.Parent.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }
}
