using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Tenants.Spec;

/// <summary>The <c>TenantSpecs</c> table: one setup document per tenant.</summary>
internal sealed class TenantSpecDocumentMapping : IEntityTypeConfiguration<TenantSpecDocument>
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

/// <summary>The <c>TenantSpecs</c> table on the portal's database.</summary>
public static class TenantSpecTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<TenantSpecDocument> TenantSpecs => db.Set<TenantSpecDocument>();
    }
}
