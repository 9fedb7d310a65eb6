using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>
/// <c>Identity:Lockout</c>: after <see cref="MaxFailedAttempts"/> wrong passwords in a row a user is locked for
/// <see cref="Duration"/>; a right password starts the count again. Attempts during a lock are refused without being
/// counted, so they neither extend the lock nor lock again the moment it ends.
/// </summary>
public sealed record LockoutSettings(int MaxFailedAttempts, TimeSpan Duration)
{
    public const string ConfigurationSection = "Identity:Lockout";
    public static readonly LockoutSettings Default = new(5, TimeSpan.FromMinutes(15));

    public static LockoutSettings FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(ConfigurationSection);
        var settings = new LockoutSettings(
            section.GetValue(nameof(MaxFailedAttempts), Default.MaxFailedAttempts),
            section.GetValue(nameof(Duration), Default.Duration));
        if (settings.MaxFailedAttempts is < 1 or > 100)
            throw new InvalidOperationException($"{ConfigurationSection}:{nameof(MaxFailedAttempts)} must be 1 to 100, not {settings.MaxFailedAttempts}.");
        if (settings.Duration <= TimeSpan.Zero || settings.Duration > TimeSpan.FromDays(1))
            throw new InvalidOperationException($"{ConfigurationSection}:{nameof(Duration)} must be more than zero and at most a day, not {settings.Duration}.");
        return settings;
    }
}

/// <summary>
/// <c>Identity:TemporaryPasswordLifetime</c>: how long the temporary password of an admin's reset signs in (only to the
/// change-password page). After it the user is refused with <see cref="SignInEndpoints.TemporaryPasswordExpired"/> and
/// the admin resets again: a password shown on an admin's screen should not stay usable for weeks.
/// </summary>
public sealed record TemporaryPasswordSettings(TimeSpan Lifetime)
{
    public const string ConfigurationKey = "Identity:TemporaryPasswordLifetime";
    public static readonly TemporaryPasswordSettings Default = new(TimeSpan.FromDays(3));

    public static TemporaryPasswordSettings FromConfiguration(IConfiguration configuration)
    {
        var settings = new TemporaryPasswordSettings(configuration.GetValue(ConfigurationKey, Default.Lifetime));
        if (settings.Lifetime < TimeSpan.FromMinutes(10) || settings.Lifetime > TimeSpan.FromDays(30))
            throw new InvalidOperationException($"{ConfigurationKey} must be 10 minutes to 30 days, not {settings.Lifetime}.");
        return settings;
    }
}

/// <summary>
/// <c>Identity:SignInRateLimit</c>: at most <see cref="PermitLimit"/> posts of the login and password forms per client
/// address per <see cref="Window"/> (a fixed window). Against one address spraying many users, which the per-user lockout
/// does not see; generous, because a whole office may sign in from one address at nine.
/// </summary>
public sealed record SignInRateLimitSettings(int PermitLimit, TimeSpan Window)
{
    public const string ConfigurationSection = "Identity:SignInRateLimit";
    public const string PolicyName = "sign-in-forms";
    public static readonly SignInRateLimitSettings Default = new(60, TimeSpan.FromMinutes(1));

    public static SignInRateLimitSettings FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(ConfigurationSection);
        var settings = new SignInRateLimitSettings(
            section.GetValue(nameof(PermitLimit), Default.PermitLimit),
            section.GetValue(nameof(Window), Default.Window));
        if (settings.PermitLimit < 1)
            throw new InvalidOperationException($"{ConfigurationSection}:{nameof(PermitLimit)} must be at least 1, not {settings.PermitLimit}.");
        if (settings.Window < TimeSpan.FromSeconds(1) || settings.Window > TimeSpan.FromHours(1))
            throw new InvalidOperationException($"{ConfigurationSection}:{nameof(Window)} must be 1 second to 1 hour, not {settings.Window}.");
        return settings;
    }
}

public static class SignInProtection
{
    /// <summary>The answer to a client address over its limit (429, with Retry-After).</summary>
    public const string RateLimited = "ACCOUNTS_SIGN_IN_RATE_LIMITED";

    public static void AddSignInProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(LockoutSettings.FromConfiguration(builder.Configuration));
        builder.Services.AddSingleton(TemporaryPasswordSettings.FromConfiguration(builder.Configuration));
        var limit = SignInRateLimitSettings.FromConfiguration(builder.Configuration);
        builder.Services.AddSingleton(limit);
        builder.Services.AddRateLimiter(options =>
        {
            // The address the connection comes from: identity is reached directly (no forwarded headers are trusted).
            options.AddPolicy(SignInRateLimitSettings.PolicyName, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limit.PermitLimit, Window = limit.Window, QueueLimit = 0 }));
            options.OnRejected = async (rejected, ct) =>
            {
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.CacheControl = "no-store";
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limit.Window;
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync(
                    $"{RateLimited}: 登录尝试过于频繁，请稍后再试。 Too many sign-in attempts from this address: try again later.", ct);
            };
        });
    }
}
