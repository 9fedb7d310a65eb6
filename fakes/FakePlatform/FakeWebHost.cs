using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.Fakes;

/// <summary>A platform fake as the tests and the demo see it: where it answers, and it stops when disposed.</summary>
public interface IFakePlatform : IAsyncDisposable
{
    /// <summary>Where the fake answers, e.g. http://127.0.0.1:PORT/.</summary>
    Uri BaseUrl { get; }
}

/// <summary>The fakes' web host: Kestrel on 127.0.0.1 only, no logging unless asked for.</summary>
public static class FakeWebHost
{
    /// <summary>Starts a host with the routes <paramref name="map"/> adds (port 0: a free one); returns it and its address.</summary>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(int port, Action<ILoggingBuilder>? logging, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>
    /// The program of a fake's AppHost resource (<c>dotnet run --project AppHost -- --demo</c>): the fake on the port the
    /// AppHost gives it (PORT), plus its demo driver, until the process is told to stop.
    /// </summary>
    public static async Task RunResourceAsync<TFake>(string platform, Func<int, Action<ILoggingBuilder>, Task<TFake>> start,
        Func<TFake, CancellationToken, Task> demo) where TFake : IFakePlatform
    {
        var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 0;
        await using var fake = await start(port, logging => logging.AddSimpleConsole());
        Console.WriteLine($"{platform} fake listening on {fake.BaseUrl}");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        await demo(fake, stop.Token);
        try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
    }
}
