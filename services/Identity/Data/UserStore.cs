using HrmsAttendance.Database;
using HrmsAttendance.Identity.Model;
using Npgsql;
using NpgsqlTypes;

namespace HrmsAttendance.Identity.Data;

public sealed record TenantRecord(Guid TenantId, string Code, string DisplayName, string DefaultLocale);

/// <summary>
/// A user as stored. <see cref="LockedUntil"/> is set only while a lock holds (by the database's clock);
/// <see cref="MustChangePassword"/> after an admin's reset, until the user has chosen a new password, which signs in
/// only until <see cref="TemporaryPasswordExpired"/>. <see cref="SecurityStamp"/> changes with the password: sessions,
/// codes and refresh tokens that carry another one are refused.
/// </summary>
public sealed record UserRecord(
    Guid UserId, Guid TenantId, string UserName, string DisplayName, string PasswordHash, IReadOnlyList<string> Roles,
    Guid? PersonId, string? PreferredLocale, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? LockedUntil = null, bool MustChangePassword = false, Guid SecurityStamp = default,
    bool TemporaryPasswordExpired = false);

public sealed record UserChangeRecord(long ChangeId, Guid UserId, DateTimeOffset ChangedAt, string ChangedBy, string Action, string DetailsJson);

/// <summary>What a new user is made of (validated by the caller; the table's checks back it up).</summary>
public sealed record NewUser(string UserName, string DisplayName, string PasswordHash, IReadOnlyList<string> Roles, Guid? PersonId, string? PreferredLocale);

/// <summary>
/// The tenants directory and the users, over the service's own login (identity_app). Every read and write of a user
/// runs in one tenant-scoped batch (<see cref="TenantScopedBatch"/>: RLS fails closed without it); every write also
/// names who makes it (<c>app.current_principal</c>), which the table's trigger records in <c>identity.user_changes</c>.
/// </summary>
public sealed class UserStore(NpgsqlDataSource dataSource)
{
    private const string UserColumns =
        "user_id, tenant_id, user_name, display_name, password_hash, roles, person_id, preferred_locale, active, created_at, updated_at, " +
        "CASE WHEN locked_until > now() THEN locked_until END, must_change_password, security_stamp, " +
        "coalesce(temporary_password_expires_at <= now(), false)";

    /// <summary>Who the sign-in form's writes are recorded as (a lock reached by wrong passwords): nobody is signed in yet.</summary>
    public const string SignInPrincipal = "system:sign-in";

    public Task<TenantRecord?> FindTenantByCodeAsync(string code, CancellationToken ct) =>
        SingleOrDefaultAsync(null, "SELECT tenant_id, code, display_name, default_locale FROM identity.tenants WHERE code = $1",
            ReadTenant, ct, null, code);

    public Task<TenantRecord?> FindTenantAsync(Guid tenantId, CancellationToken ct) =>
        SingleOrDefaultAsync(null, "SELECT tenant_id, code, display_name, default_locale FROM identity.tenants WHERE tenant_id = $1",
            ReadTenant, ct, null, tenantId);

    /// <summary>Adds a tenant to the directory unless it is there (by id or code); returns it as stored.</summary>
    public async Task<TenantRecord> EnsureTenantAsync(Guid tenantId, string code, string displayName, string defaultLocale, CancellationToken ct)
    {
        await ListAsync(null, "INSERT INTO identity.tenants (tenant_id, code, display_name, default_locale) VALUES ($1, $2, $3, $4) " +
            "ON CONFLICT DO NOTHING RETURNING tenant_id", r => r.GetGuid(0), ct, null, tenantId, code, displayName, defaultLocale);
        return await FindTenantAsync(tenantId, ct)
            ?? throw new AccountsException(AccountsErrors.InvalidArgument, $"tenant code '{code}' belongs to another tenant");
    }

    public Task<UserRecord?> FindByUserNameAsync(Guid tenantId, string userName, CancellationToken ct) =>
        SingleOrDefaultAsync(tenantId, $"SELECT {UserColumns} FROM identity.users WHERE user_name = $1", ReadUser, ct, null, userName);

    public Task<UserRecord?> FindAsync(Guid tenantId, Guid userId, CancellationToken ct) =>
        SingleOrDefaultAsync(tenantId, $"SELECT {UserColumns} FROM identity.users WHERE user_id = $1", ReadUser, ct, null, userId);

    /// <summary>Users by user name, after <paramref name="afterUserName"/> (keyset paging), at most <paramref name="limit"/>.</summary>
    public Task<List<UserRecord>> ListAsync(Guid tenantId, string? afterUserName, int limit, CancellationToken ct) =>
        ListAsync(tenantId, $"SELECT {UserColumns} FROM identity.users WHERE user_name > $1 ORDER BY user_name LIMIT $2",
            ReadUser, ct, null, afterUserName ?? "", limit);

    public async Task<UserRecord> CreateAsync(Guid tenantId, string principal, NewUser user, CancellationToken ct) =>
        (await ListAsync(tenantId,
            $"INSERT INTO identity.users (tenant_id, user_name, display_name, password_hash, roles, person_id, preferred_locale) " +
            $"VALUES ($1, $2, $3, $4, $5, $6::uuid, $7::text) RETURNING {UserColumns}",
            ReadUser, ct, principal, tenantId, user.UserName, user.DisplayName, user.PasswordHash, user.Roles.ToArray(),
            (object?)user.PersonId, user.PreferredLocale)).Single();

    /// <summary>Sets the roles (and the person, when given); null when there is no such user in the tenant.</summary>
    public async Task<UserRecord?> SetRolesAsync(Guid tenantId, string principal, Guid userId, IReadOnlyList<string> roles, Guid? personId, CancellationToken ct) =>
        (await ListAsync(tenantId,
            $"UPDATE identity.users SET roles = $2, person_id = coalesce($3::uuid, person_id), updated_at = now() WHERE user_id = $1 RETURNING {UserColumns}",
            ReadUser, ct, principal, userId, roles.ToArray(), (object?)personId ?? DBNull.Value)).SingleOrDefault();

    /// <summary>Deactivates the user (they can no longer sign in or refresh); null when there is no such user.</summary>
    public async Task<UserRecord?> DeactivateAsync(Guid tenantId, string principal, Guid userId, CancellationToken ct) =>
        (await ListAsync(tenantId,
            $"UPDATE identity.users SET active = false, updated_at = now() WHERE user_id = $1 RETURNING {UserColumns}",
            ReadUser, ct, principal, userId)).SingleOrDefault();

    /// <summary>Sets the password hash and the display name (the Development seed keeps its users as documented).</summary>
    public async Task<UserRecord?> ResetAsync(Guid tenantId, string principal, Guid userId, string displayName, string passwordHash,
        IReadOnlyList<string> roles, Guid? personId, CancellationToken ct) =>
        (await ListAsync(tenantId,
            $"UPDATE identity.users SET display_name = $2, password_hash = $3, roles = $4, person_id = $5::uuid, active = true, " +
            $"must_change_password = false, temporary_password_expires_at = NULL, failed_sign_ins = 0, locked_until = NULL, " +
            $"updated_at = now() WHERE user_id = $1 RETURNING {UserColumns}",
            ReadUser, ct, principal, userId, displayName, passwordHash, roles.ToArray(), (object?)personId ?? DBNull.Value)).SingleOrDefault();

    /// <summary>
    /// Counts a wrong password of an active, unlocked user; the <paramref name="maxFailures"/>th in a row locks the user
    /// for <paramref name="lockDuration"/> and starts the count again. One statement, so concurrent attempts count
    /// exactly (the row lock serialises them, and each re-reads the row). A locked user is not touched: attempts during
    /// a lock neither count nor extend it. Returns the user after the count, or null when nothing was counted.
    /// </summary>
    public async Task<UserRecord?> RecordFailedSignInAsync(Guid tenantId, Guid userId, int maxFailures, TimeSpan lockDuration, CancellationToken ct) =>
        (await ListAsync(tenantId,
            $"UPDATE identity.users SET " +
            $"failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= $2 THEN 0 ELSE failed_sign_ins + 1 END, " +
            $"locked_until = CASE WHEN failed_sign_ins + 1 >= $2 THEN now() + $3 ELSE locked_until END " +
            $"WHERE user_id = $1 AND active AND (locked_until IS NULL OR locked_until <= now()) RETURNING {UserColumns}",
            ReadUser, ct, SignInPrincipal, userId, maxFailures, lockDuration)).SingleOrDefault();

    /// <summary>A right password: the count of wrong ones starts again (no write when there is nothing to clear).</summary>
    public Task RecordSuccessfulSignInAsync(Guid tenantId, Guid userId, CancellationToken ct) =>
        ListAsync(tenantId,
            "UPDATE identity.users SET failed_sign_ins = 0, locked_until = NULL " +
            "WHERE user_id = $1 AND (failed_sign_ins <> 0 OR locked_until IS NOT NULL) AND (locked_until IS NULL OR locked_until <= now()) " +
            "RETURNING user_id",
            r => r.GetGuid(0), ct, SignInPrincipal, userId);

    /// <summary>
    /// An admin's reset: a temporary password the user must change within <paramref name="lifetime"/>, no lock, and the
    /// user's sessions and refresh tokens ended (a new stamp); null when there is no such user.
    /// </summary>
    public async Task<UserRecord?> ResetPasswordAsync(Guid tenantId, string principal, Guid userId, string temporaryPasswordHash,
        TimeSpan lifetime, CancellationToken ct) =>
        (await ListAsync(tenantId,
            $"UPDATE identity.users SET password_hash = $2, must_change_password = true, temporary_password_expires_at = now() + $3, " +
            $"security_stamp = gen_random_uuid(), failed_sign_ins = 0, locked_until = NULL, " +
            $"updated_at = now() WHERE user_id = $1 RETURNING {UserColumns}",
            ReadUser, ct, principal, userId, temporaryPasswordHash, lifetime)).SingleOrDefault();

    /// <summary>An admin's unlock: no lock and no count of wrong passwords; null when there is no such user.</summary>
    public async Task<UserRecord?> UnlockAsync(Guid tenantId, string principal, Guid userId, CancellationToken ct) =>
        (await ListAsync(tenantId,
            $"UPDATE identity.users SET failed_sign_ins = 0, locked_until = NULL, " +
            $"updated_at = CASE WHEN locked_until > now() THEN now() ELSE updated_at END WHERE user_id = $1 RETURNING {UserColumns}",
            ReadUser, ct, principal, userId)).SingleOrDefault();

    /// <summary>
    /// The user's own new password (recorded with the user as the principal), with a new stamp: every session, code and
    /// refresh token issued before is refused from now on. Null when the user is gone or inactive.
    /// </summary>
    public async Task<UserRecord?> ChangePasswordAsync(Guid tenantId, Guid userId, string passwordHash, CancellationToken ct) =>
        (await ListAsync(tenantId,
            $"UPDATE identity.users SET password_hash = $2, must_change_password = false, temporary_password_expires_at = NULL, " +
            $"security_stamp = gen_random_uuid(), failed_sign_ins = 0, locked_until = NULL, " +
            $"updated_at = now() WHERE user_id = $1 AND active RETURNING {UserColumns}",
            ReadUser, ct, userId.ToString("D"), userId, passwordHash)).SingleOrDefault();

    public Task<List<UserChangeRecord>> ListChangesAsync(Guid tenantId, Guid? userId, long afterChangeId, int limit, CancellationToken ct) =>
        ListAsync(tenantId,
            "SELECT change_id, user_id, changed_at, changed_by, action, details::text FROM identity.user_changes " +
            "WHERE ($1::uuid IS NULL OR user_id = $1) AND change_id > $2 ORDER BY change_id LIMIT $3",
            r => new UserChangeRecord(r.GetInt64(0), r.GetGuid(1), r.GetFieldValue<DateTimeOffset>(2), r.GetString(3), r.GetString(4), r.GetString(5)),
            ct, null, (object?)userId ?? DBNull.Value, afterChangeId, limit);

    private static TenantRecord ReadTenant(NpgsqlDataReader r) => new(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3));

    private static UserRecord ReadUser(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetFieldValue<string[]>(5),
        r.IsDBNull(6) ? null : r.GetGuid(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetBoolean(8),
        r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11), r.GetBoolean(12), r.GetGuid(13), r.GetBoolean(14));

    private async Task<T?> SingleOrDefaultAsync<T>(Guid? tenantId, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct,
        string? principal, params object?[] parameters) where T : class =>
        (await ListAsync(tenantId, sql, map, ct, principal, parameters)).SingleOrDefault();

    /// <summary>
    /// One round trip: for a tenant, <c>app.current_tenant</c> (and <c>app.current_principal</c> for a write) set first in
    /// the same implicit transaction; without a tenant only the directory (identity.tenants) is readable.
    /// </summary>
    private async Task<List<T>> ListAsync<T>(Guid? tenantId, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct,
        string? principal, params object?[] parameters)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var batch = tenantId is { } tenant ? TenantScopedBatch.Create(connection, tenant) : new NpgsqlBatch(connection);
            if (principal is not null)
                batch.Add("SELECT set_config('app.current_principal', $1, true)", principal);
            var command = batch.Add(sql);
            foreach (var value in parameters)
                command.Parameters.Add(value switch
                {
                    null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                    string[] array => new NpgsqlParameter { Value = array, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    _ => new NpgsqlParameter { Value = value },
                });
            await using var reader = await batch.ExecuteReaderAsync(ct);
            // Skip the rows of the set_config statements before ours.
            for (var skip = batch.BatchCommands.Count - 1; skip > 0; skip--)
                await reader.NextResultAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct))
                rows.Add(map(reader));
            return rows;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw AccountsErrors.FromDatabase(e);
        }
    }
}
