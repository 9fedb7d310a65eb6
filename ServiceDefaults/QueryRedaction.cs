using System.Diagnostics;
using OpenTelemetry;

namespace HrmsAttendance.ServiceDefaults;

/// <summary>
/// Every span's query string leaves the process with its values redacted (<c>?person_uuid=Redacted&amp;access_token=Redacted</c>):
/// a caller may put a token or another secret in a URL, and the server span (<c>url.query</c>) and the client spans of
/// forwarded calls (<c>url.full</c>) recorded it as sent. Names are kept, so a trace still shows which parameters came.
/// Found by the secrets suite (tests/AppHost.Tests/Secrets): a bearer token sent as <c>access_token=</c> reached the dashboard.
/// </summary>
public sealed class QueryRedaction : BaseProcessor<Activity>
{
    public const string Redacted = "Redacted";

    public override void OnEnd(Activity activity)
    {
        if (activity.GetTagItem("url.query") is string query && query.Length > 0)
            activity.SetTag("url.query", RedactQuery(query));
        if (activity.GetTagItem("url.full") is string full && full.IndexOf('?') is var mark and >= 0)
            activity.SetTag("url.full", full[..mark] + RedactQuery(full[mark..]));
    }

    /// <summary><c>?a=1&amp;b=2</c> → <c>?a=Redacted&amp;b=Redacted</c> (a leading <c>?</c> kept if present).</summary>
    public static string RedactQuery(string query)
    {
        var prefix = query.StartsWith('?') ? "?" : "";
        var pairs = query.TrimStart('?').Split('&').Select(pair => pair.IndexOf('=') is var equals and >= 0 ? pair[..equals] + "=" + Redacted : pair);
        return prefix + string.Join('&', pairs);
    }
}
