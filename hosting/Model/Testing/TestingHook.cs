namespace HrmsAttendance.Hosting.Testing;

/// <summary>
/// Set (per async flow) by <see cref="DistributedApplicationTestingBuilder"/> while it runs an AppHost's entry point:
/// CreateBuilder applies <see cref="ConfigureOptions"/>, Build applies <see cref="ConfigureBuilder"/>, and RunAsync
/// hands the built application over instead of running it.
/// </summary>
internal sealed class TestingHook
{
    private static readonly AsyncLocal<TestingHook?> CurrentHook = new();

    public static TestingHook? Current
    {
        get => CurrentHook.Value;
        set => CurrentHook.Value = value;
    }

    public Action<DistributedApplicationOptions>? ConfigureOptions { get; init; }

    public Action<IDistributedApplicationBuilder>? ConfigureBuilder { get; init; }

    public TaskCompletionSource<DistributedApplication> Application { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool TryHandOver(DistributedApplication application) => Application.TrySetResult(application);
}
