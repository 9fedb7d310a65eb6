using HrmsAttendance.Fakes.WeCom;

// The `wecom-fake` resource of `dotnet run --project AppHost -- --demo`: the fake on the port the AppHost gives it
// (PORT), plus the demo driver when it is told where the gateway is.
var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 0;
await using var fake = await WeComFakeServer.StartAsync(port, logging => logging.AddSimpleConsole());
Console.WriteLine($"WeCom fake listening on {fake.BaseUrl}");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
await DemoDriver.RunIfConfiguredAsync(fake, stop.Token);
try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
