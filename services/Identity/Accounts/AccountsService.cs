using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Accounts.V1;
using HrmsAttendance.Identity.Data;
using HrmsAttendance.Identity.Model;
using HrmsAttendance.Identity.SignIn;
using HrmsAttendance.TokenAuthentication;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Identity.Accounts;

/// <summary>
/// <c>attendance.accounts.v1.Accounts</c>: the tenant's users, for its admins. The gateway's table lets only tenant-admin
/// through; the service checks the role again (its port is reachable with any token of the tenant). The tenant is the
/// token's; each change is recorded by the users table's trigger with the caller's subject.
/// </summary>
public sealed partial class AccountsService(UserStore users, Passwords passwords, TemporaryPasswordSettings temporaryPasswords) : Contracts.Accounts.V1.Accounts.AccountsBase
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 500;

    public override Task<ListUsersResponse> ListUsers(ListUsersRequest request, ServerCallContext context) =>
        AsAdmin(context, async caller =>
        {
            var pageSize = PageSize(request.PageSize);
            var after = request.PageToken.Length == 0 ? null : UserName(request.PageToken, "page_token");
            var rows = await users.ListAsync(caller.TenantId, after, pageSize + 1, context.CancellationToken);
            var response = new ListUsersResponse();
            response.Users.AddRange(rows.Take(pageSize).Select(ToWire));
            if (rows.Count > pageSize) response.NextPageToken = rows[pageSize - 1].UserName;
            return response;
        });

    public override Task<User> CreateUser(CreateUserRequest request, ServerCallContext context) =>
        AsAdmin(context, async caller =>
        {
            var userName = UserName(request.UserName, "user_name");
            var displayName = DisplayName(request.DisplayName);
            if (Passwords.Problem(request.Password) is { } problem) throw AccountsErrors.Invalid(problem);
            var roles = Roles(request.Roles);
            var person = OptionalUuid(request.PersonId, "person_id");
            if (roles.Contains(AccessRoles.Employee) && person is null)
                throw AccountsErrors.Invalid("person_id is required for the employee role");
            var locale = Locale(request.PreferredLocale);
            var created = await users.CreateAsync(caller.TenantId, caller.Subject,
                new NewUser(userName, displayName, passwords.Hash(request.Password), roles, person, locale), context.CancellationToken);
            return ToWire(created);
        });

    public override Task<User> SetUserRoles(SetUserRolesRequest request, ServerCallContext context) =>
        AsAdmin(context, async caller =>
        {
            var userId = Uuid(request.UserId, "user_id");
            var roles = Roles(request.Roles);
            var person = OptionalUuid(request.PersonId, "person_id");
            var existing = await users.FindAsync(caller.TenantId, userId, context.CancellationToken)
                ?? throw new AccountsException(AccountsErrors.UserNotFound, $"no user {userId:D} in this tenant");
            if (roles.Contains(AccessRoles.Employee) && (person ?? existing.PersonId) is null)
                throw AccountsErrors.Invalid("person_id is required for the employee role");
            var updated = await users.SetRolesAsync(caller.TenantId, caller.Subject, userId, roles, person, context.CancellationToken)
                ?? throw new AccountsException(AccountsErrors.UserNotFound, $"no user {userId:D} in this tenant");
            return ToWire(updated);
        });

    public override Task<User> DeactivateUser(DeactivateUserRequest request, ServerCallContext context) =>
        AsAdmin(context, async caller =>
        {
            var userId = Uuid(request.UserId, "user_id");
            if (caller.Subject == userId.ToString("D"))
                throw AccountsErrors.Invalid("user_id is the caller: an admin does not deactivate themselves");
            var updated = await users.DeactivateAsync(caller.TenantId, caller.Subject, userId, context.CancellationToken)
                ?? throw new AccountsException(AccountsErrors.UserNotFound, $"no user {userId:D} in this tenant");
            return ToWire(updated);
        });

    public override Task<ListUserChangesResponse> ListUserChanges(ListUserChangesRequest request, ServerCallContext context) =>
        AsAdmin(context, async caller =>
        {
            var userId = OptionalUuid(request.UserId, "user_id");
            var pageSize = PageSize(request.PageSize);
            long after = 0;
            if (request.PageToken.Length > 0 && (!long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after <= 0))
                throw AccountsErrors.Invalid("page_token is not one this API gave");
            var rows = await users.ListChangesAsync(caller.TenantId, userId, after, pageSize + 1, context.CancellationToken);
            var response = new ListUserChangesResponse();
            response.Changes.AddRange(rows.Take(pageSize).Select(change => new UserChange
            {
                ChangeId = change.ChangeId,
                UserId = change.UserId.ToString("D"),
                ChangedAt = Timestamp.FromDateTimeOffset(change.ChangedAt),
                ChangedBy = change.ChangedBy,
                Action = change.Action,
                DetailsJson = change.DetailsJson,
            }));
            if (rows.Count > pageSize) response.NextPageToken = rows[pageSize - 1].ChangeId.ToString(CultureInfo.InvariantCulture);
            return response;
        });

    public override Task<ResetPasswordResponse> ResetPassword(ResetPasswordRequest request, ServerCallContext context) =>
        AsAdmin(context, async caller =>
        {
            var userId = Uuid(request.UserId, "user_id");
            if (caller.Subject == userId.ToString("D"))
                throw AccountsErrors.Invalid("user_id is the caller: an admin changes their own password on the change-password page");
            var existing = await users.FindAsync(caller.TenantId, userId, context.CancellationToken)
                ?? throw new AccountsException(AccountsErrors.UserNotFound, $"no user {userId:D} in this tenant");
            if (!existing.Active)
                throw new AccountsException(AccountsErrors.UserInactive, $"user {userId:D} is deactivated: it cannot sign in with any password");
            var temporary = Passwords.NewTemporary();
            var updated = await users.ResetPasswordAsync(caller.TenantId, caller.Subject, userId, passwords.Hash(temporary),
                    temporaryPasswords.Lifetime, context.CancellationToken)
                ?? throw new AccountsException(AccountsErrors.UserNotFound, $"no user {userId:D} in this tenant");
            return new ResetPasswordResponse { User = ToWire(updated), TemporaryPassword = temporary };
        });

    public override Task<User> UnlockUser(UnlockUserRequest request, ServerCallContext context) =>
        AsAdmin(context, async caller =>
        {
            var userId = Uuid(request.UserId, "user_id");
            var updated = await users.UnlockAsync(caller.TenantId, caller.Subject, userId, context.CancellationToken)
                ?? throw new AccountsException(AccountsErrors.UserNotFound, $"no user {userId:D} in this tenant");
            return ToWire(updated);
        });

    private static Task<T> AsAdmin<T>(ServerCallContext context, Func<AccessTokenClaims, Task<T>> handler)
    {
        var caller = context.Caller();
        if (!caller.Roles.Contains(AccessRoles.TenantAdmin, StringComparer.Ordinal))
            throw new AccountsException(AccountsErrors.Forbidden, "the Accounts API is for the tenant's admins (role tenant-admin)");
        return handler(caller);
    }

    private static User ToWire(UserRecord user)
    {
        var wire = new User
        {
            UserId = user.UserId.ToString("D"),
            UserName = user.UserName,
            DisplayName = user.DisplayName,
            PersonId = user.PersonId?.ToString("D") ?? "",
            PreferredLocale = user.PreferredLocale ?? "",
            Active = user.Active,
            CreatedAt = Timestamp.FromDateTimeOffset(user.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(user.UpdatedAt),
            LockedUntil = user.LockedUntil is { } until ? Timestamp.FromDateTimeOffset(until) : null,
            MustChangePassword = user.MustChangePassword,
        };
        wire.Roles.AddRange(user.Roles);
        return wire;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{0,99}$")]
    private static partial Regex UserNamePattern();

    private static string UserName(string value, string field) =>
        UserNamePattern().IsMatch(value) ? value
            : throw AccountsErrors.Invalid($"{field} must be 1 to 100 lower-case letters, digits or . _ @ - (starting with a letter or digit)");

    private static string DisplayName(string value) =>
        value.Trim().Length is >= 1 and <= 200 && !value.Any(char.IsControl) ? value.Trim()
            : throw AccountsErrors.Invalid("display_name must have 1 to 200 characters and no control characters");

    private static List<string> Roles(IEnumerable<string> roles)
    {
        var list = roles.ToList();
        if (list.Count == 0) throw AccountsErrors.Invalid("roles must name at least one role");
        foreach (var role in list)
            if (!AccessRoles.IsKnown(role))
                throw AccountsErrors.Invalid($"roles: '{role}' is not a role ({string.Join(", ", AccessRoles.All)})");
        if (list.Distinct(StringComparer.Ordinal).Count() != list.Count) throw AccountsErrors.Invalid("roles must not repeat a role");
        return list;
    }

    // Exactly 8-4-4-4-12 hex digits: Guid parsing alone would also take surrounding whitespace.
    private static Guid Uuid(string value, string field) =>
        WireValues.TryParseCanonicalUuid(value, out var uuid) && uuid != Guid.Empty ? uuid
            : throw AccountsErrors.Invalid($"{field} must be a canonical, non-empty UUID");

    private static Guid? OptionalUuid(string value, string field) => value.Length == 0 ? null : Uuid(value, field);

    private static string? Locale(string value) => value switch
    {
        "" => null,
        "zh-CN" or "en" => value,
        _ => throw AccountsErrors.Invalid("preferred_locale must be zh-CN, en or empty"),
    };

    private static int PageSize(int value) => value switch
    {
        0 => DefaultPageSize,
        >= 1 and <= MaxPageSize => value,
        _ => throw AccountsErrors.Invalid($"page_size must be between 1 and {MaxPageSize} (0 means {DefaultPageSize})"),
    };
}
