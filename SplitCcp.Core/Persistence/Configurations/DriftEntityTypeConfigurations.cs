using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Persistence.Configurations;

internal sealed class DriftReportEntityTypeConfiguration : IEntityTypeConfiguration<DriftReport>
{
    public void Configure(EntityTypeBuilder<DriftReport> builder)
    {
        builder.ToTable("DriftReports");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Message).HasMaxLength(4000);
        builder.Property(r => r.Fingerprint).HasMaxLength(64);
        builder.HasIndex(r => new { r.TenantId, r.FirstCheckedAt });
        builder.HasIndex(r => r.LastCheckedAt);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TenantDriftEntityTypeConfiguration : IEntityTypeConfiguration<TenantDrift>
{
    public void Configure(EntityTypeBuilder<TenantDrift> builder)
    {
        builder.ToTable("TenantDrift");
        builder.HasKey(d => d.TenantId);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Message).HasMaxLength(4000);
        builder.Property(d => d.Fingerprint).HasMaxLength(64);
        builder.PrimitiveCollection(d => d.InLine);
        builder.HasIndex(d => d.Status);
        builder.HasIndex(d => d.CheckedAt);
        builder.HasOne<Tenant>().WithOne().HasForeignKey<TenantDrift>(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
