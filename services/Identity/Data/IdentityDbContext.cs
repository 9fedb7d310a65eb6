using HrmsAttendance.Identity.Database;
using Microsoft.EntityFrameworkCore;

namespace HrmsAttendance.Identity.Data;

/// <summary>
/// OpenIddict's Entity Framework Core stores and nothing else (users are read with plain Npgsql: <see cref="UserStore"/>).
/// The tables are created by the SQL migration 0002_openiddict.sql, which is this model's DDL; EF never migrates.
/// </summary>
public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(IdentityDatabase.Schema);
        modelBuilder.UseOpenIddict();
    }
}
