using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>The <c>TenantDrift</c> table: each tenant's latest drift status, one row per tenant.</summary>
internal sealed class TenantDriftMapping : IEntityTypeConfiguration<TenantDrift>
{
    public void Configure(EntityTypeBuilder<TenantDrift> builder)
    {
        builder.ToTable("TenantDrift");
        builder.HasKey(d => d.TenantId);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Message).HasMaxLength(FreeText.MaxLength);
        builder.Property(d => d.Fingerprint).HasMaxLength(64);
        builder.PrimitiveCollection(d => d.InLine);
        builder.HasIndex(d => d.Status);
        builder.HasIndex(d => d.CheckedAt);
        builder.HasOne<Tenant>().WithOne().HasForeignKey<TenantDrift>(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>TenantDrift</c> table on the portal's database.</summary>
public static class TenantDriftTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<TenantDrift> TenantDrift => db.Set<TenantDrift>();
    }

    /// <summary>Changes the tenant's row, adding it first when there is none; see <see cref="TenantRows.UpdateAsync{TRow}"/>.</summary>
    internal static Task<bool> UpdateAsync(
        IDbContextFactory<SplitCcpDbContext> dbFactory, Guid tenantId, Func<SplitCcpDbContext, TenantDrift, Task<bool>> change, CancellationToken ct) =>
        TenantRows.UpdateAsync(dbFactory, tenantId, id => new TenantDrift { TenantId = id, Status = TenantHealthStatus.Unknown }, change, ct);
}
