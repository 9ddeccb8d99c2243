using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>The <c>DriftReports</c> table: a tenant's drift history, one row per stretch of identical results.</summary>
internal sealed class DriftReportMapping : IEntityTypeConfiguration<DriftReport>
{
    public void Configure(EntityTypeBuilder<DriftReport> builder)
    {
        builder.ToTable("DriftReports");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Message).HasMaxLength(FreeText.MaxLength);
        builder.Property(r => r.Fingerprint).HasMaxLength(64);
        builder.HasIndex(r => new { r.TenantId, r.FirstCheckedAt });
        builder.HasIndex(r => r.LastCheckedAt);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>DriftReports</c> table on the portal's database.</summary>
public static class DriftReportTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<DriftReport> DriftReports => db.Set<DriftReport>();
    }
}
