using Grpc.Core;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Identity.Data;
using HrmsAttendance.Identity.Model;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Identity.SignIn;

/// <summary>
/// Development only: the demo tenant (code <c>demo</c>) and its users, each with the password <c>Passw0rd!</c> —
/// <c>admin</c> (tenant-admin), <c>approver</c> (approver, person DEMO-2), <c>employee</c> (employee, DEMO-1),
/// <c>employee2</c> (employee, DEMO-3); the approver decides the adjustment requests of both employees (punch-ledger's
/// approver assignments). The persons are found or created in identity-mapping by employee number (a
/// short-lived token of the demo tenant's admin, signed with the topology's Development key). It runs only when the
/// service's environment is Development or the AppHost asks for it (<see cref="ConfigurationKey"/>, a local Development
/// run); otherwise there is no user and no password by default.
/// </summary>
public sealed class DevelopmentSeed(
    UserStore users, Passwords passwords, IdentityMapping.IdentityMappingClient identityMapping,
    Adjustments.AdjustmentsClient adjustments, IConfiguration configuration,
    ILogger<DevelopmentSeed> logger) : BackgroundService
{
    /// <summary>Set by the AppHost in a local Development run (<c>Identity__DevelopmentUsers=true</c>).</summary>
    public const string ConfigurationKey = "Identity:DevelopmentUsers";

    public static readonly Guid DemoTenant = Guid.Parse("7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11");
    public const string DemoTenantCode = "demo";
    public const string DemoPassword = "Passw0rd!";
    private const string Principal = "system:development-seed";

    private sealed record SeedUser(string UserName, string DisplayName, string[] Roles, string? EmployeeNumber);

    private static readonly SeedUser[] Users =
    [
        new("admin", "演示管理员 Demo Admin", [AccessRoles.TenantAdmin], null),
        new("approver", "演示审批人 Demo Approver", [AccessRoles.Approver], "DEMO-2"),
        new("employee", "演示员工 Demo Employee", [AccessRoles.Employee], "DEMO-1"),
        new("employee2", "演示员工二 Demo Employee 2", [AccessRoles.Employee], "DEMO-3"),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // identity-mapping may still be starting: try again every 2 s for two minutes.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SeedAsync(stoppingToken);
                logger.LogInformation("Development users of tenant '{Code}' ready: {Users} (the password is in README.md)",
                    DemoTenantCode, string.Join(", ", Users.Select(u => u.UserName)));
                return;
            }
            catch (Exception e) when (attempt < 60 && e is RpcException or AccountsException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogInformation("Development seed waits ({Reason})", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        await users.EnsureTenantAsync(DemoTenant, DemoTenantCode, "演示公司 Demo Co.", "zh-CN", ct);
        var auth = AdminHeaders();
        var persons = new Dictionary<string, Guid>();
        foreach (var seed in Users)
        {
            Guid? person = seed.EmployeeNumber is { } number ? persons[number] = await PersonAsync(number, seed.DisplayName, auth, ct) : null;
            var existing = await users.FindByUserNameAsync(DemoTenant, seed.UserName, ct);
            if (existing is null)
                await users.CreateAsync(DemoTenant, Principal,
                    new NewUser(seed.UserName, seed.DisplayName, passwords.Hash(DemoPassword), seed.Roles, person, null), ct);
            else if (!existing.Active || existing.PersonId != person || !existing.Roles.SequenceEqual(seed.Roles) || !passwords.Verify(existing, DemoPassword))
                await users.ResetAsync(DemoTenant, Principal, existing.UserId, seed.DisplayName, passwords.Hash(DemoPassword), seed.Roles, person, ct);
        }
        // The approver (DEMO-2) decides the employees' requests; assigning again changes nothing.
        foreach (var employee in (string[])["DEMO-1", "DEMO-3"])
            await adjustments.AssignApproverAsync(new ApproverAssignment
            {
                ApproverPersonUuid = persons["DEMO-2"].ToString(), PersonUuid = persons[employee].ToString(),
            }, auth, cancellationToken: ct);
    }

    private async Task<Guid> PersonAsync(string number, string name, Metadata auth, CancellationToken ct)
    {
        var found = await identityMapping.ListPersonsAsync(new ListPersonsRequest { Search = number }, auth, cancellationToken: ct);
        if (found.Persons.FirstOrDefault(p => p.EmployeeNumber == number) is { } existing) return Guid.Parse(existing.PersonUuid);
        var created = await identityMapping.CreatePersonAsync(new CreatePersonRequest { EmployeeNumber = number, DisplayName = name }, auth, cancellationToken: ct);
        return Guid.Parse(created.PersonUuid);
    }

    private Metadata AdminHeaders()
    {
        var settings = AccessTokenSettings.FromConfiguration(configuration.GetSection(AccessTokenSettings.ConfigurationSection));
        var token = new AccessTokenIssuer(settings).Issue(new AccessTokenClaims(DemoTenant, Principal, [AccessRoles.TenantAdmin]), TimeSpan.FromMinutes(5));
        return new Metadata { { "authorization", "Bearer " + token } };
    }
}
