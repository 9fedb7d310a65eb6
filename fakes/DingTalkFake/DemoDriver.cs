namespace HrmsAttendance.Fakes.DingTalk;

/// <summary>The demo: filled in later (see README); without configuration the fake only serves.</summary>
public static class DemoDriver
{
    public static Task RunIfConfiguredAsync(DingTalkFakeServer fake, CancellationToken ct) => Task.CompletedTask;
}
