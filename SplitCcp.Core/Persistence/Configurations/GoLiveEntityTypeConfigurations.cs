using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.GoLive;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Persistence.Configurations;

internal sealed class GoLiveResultEntityTypeConfiguration : IEntityTypeConfiguration<GoLiveResult>
{
    public void Configure(EntityTypeBuilder<GoLiveResult> builder)
    {
        builder.ToTable("GoLiveResults");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.CheckKey).HasMaxLength(64);
        builder.Property(r => r.Note).HasMaxLength(GoLiveChecks.MaxNoteLength);
        builder.Property(r => r.Agent).HasMaxLength(256);
        builder.Property(r => r.RecordedBy).HasMaxLength(256);
        builder.HasIndex(r => new { r.TenantId, r.CheckKey, r.Id });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TenantGoLiveEntityTypeConfiguration : IEntityTypeConfiguration<TenantGoLive>
{
    public void Configure(EntityTypeBuilder<TenantGoLive> builder)
    {
        builder.ToTable("TenantGoLive");
        builder.HasKey(g => g.TenantId);
        builder.HasOne<Tenant>().WithOne().HasForeignKey<TenantGoLive>(g => g.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
