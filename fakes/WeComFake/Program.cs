using HrmsAttendance.Fakes;
using HrmsAttendance.Fakes.WeCom;

// The `wecom-fake` resource of `dotnet run --project AppHost -- --demo`: the fake on the port the AppHost gives it
// (PORT), plus the demo driver when it is told where the gateway is.
await FakeWebHost.RunResourceAsync("WeCom", WeComFakeServer.StartAsync, DemoDriver.RunIfConfiguredAsync);

