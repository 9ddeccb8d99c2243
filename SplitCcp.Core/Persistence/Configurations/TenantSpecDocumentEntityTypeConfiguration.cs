using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Persistence.Configurations;

internal sealed class TenantSpecDocumentEntityTypeConfiguration : IEntityTypeConfiguration<TenantSpecDocument>
{
    public void Configure(EntityTypeBuilder<TenantSpecDocument> builder)
    {
        builder.ToTable("TenantSpecs");
        builder.HasKey(s => s.TenantId);
        builder.HasOne<Tenant>().WithOne().HasForeignKey<TenantSpecDocument>(s => s.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(s => s.Json).IsRequired();
        builder.Property(s => s.UpdatedBy).HasMaxLength(256);
        builder.Property(s => s.Version).IsConcurrencyToken();
    }
}
