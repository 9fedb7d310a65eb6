namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>Colour classes for resource states, health and log levels (see DashboardStyles).</summary>
internal static class Badges
{
    public static Markup State(string state) => Badge(state, state switch
    {
        "Running" => "ok",
        "Starting" or "Restarting" or "Waiting" => "warn",
        "Unhealthy" or "Failed" or "FailedToStart" or "Crashed" => "err",
        "Exited" or "Stopped" or "Finished" => "idle",
        _ => "info",
    });

    public static Markup Health(string health) => Badge(health, health switch
    {
        "Healthy" => "ok",
        "Unhealthy" => "err",
        _ => "idle",
    });

    public static Markup Badge(string text, string kind) => Html.H($"""<span class="badge {kind}">{text}</span>""");

    public static Markup Service(ServiceColors colors, string service) =>
        Html.H($"""<span class="svc"><i style="background:{colors.For(service)}"></i>{service}</span>""");
}
