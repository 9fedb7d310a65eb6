using HrmsAttendance.Migrations;
using HrmsAttendance.ServiceDefaults;

// Runs once per AppHost start, before the services: roles, then schema. Exit code 0 lets them start.
var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddMigrationServices();

var host = builder.Build();
await host.RunAsync();
return Environment.ExitCode;
