using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Persistence;

public sealed class SplitCcpDbContext(DbContextOptions<SplitCcpDbContext> options)
    : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<UserTenant> UserTenants => Set<UserTenant>();

    public DbSet<TenantSpecDocument> TenantSpecs => Set<TenantSpecDocument>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Reconciliation.ApplyRun> Applies => Set<Reconciliation.ApplyRun>();

    public DbSet<Reconciliation.ApplyStep> ApplySteps => Set<Reconciliation.ApplyStep>();

    public DbSet<Reconciliation.ApplyJournalEntry> ApplyJournal => Set<Reconciliation.ApplyJournalEntry>();

    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    public DbSet<Sandbox.SandboxObject> SandboxObjects => Set<Sandbox.SandboxObject>();

    public DbSet<Reconciliation.Drift.DriftReport> DriftReports => Set<Reconciliation.Drift.DriftReport>();

    public DbSet<Reconciliation.Drift.TenantDrift> TenantDrift => Set<Reconciliation.Drift.TenantDrift>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(SplitCcpDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite keeps no kind with a DateTime: everything stored is UTC, so say so when reading it back.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
