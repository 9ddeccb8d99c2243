using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Bulk;

/// <summary>The <c>BulkOperations</c> table: one row per bulk operation, its tenants in <c>BulkOperationTenants</c>.</summary>
internal sealed class BulkOperationMapping : IEntityTypeConfiguration<BulkOperation>
{
    public void Configure(EntityTypeBuilder<BulkOperation> builder)
    {
        builder.ToTable("BulkOperations");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.RequestedBy).HasMaxLength(256);
        builder.Property(o => o.RequestedByUserId).HasMaxLength(450);
        builder.Property(o => o.CancelledBy).HasMaxLength(256);
        builder.Property(o => o.ClaimedBy).HasMaxLength(200);
        builder.HasIndex(o => new { o.State, o.CreatedAt });
        builder.HasIndex(o => o.CreatedAt);
        builder.HasMany(o => o.Tenants).WithOne().HasForeignKey(t => t.OperationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>BulkOperationTenants</c> table: a bulk operation's tenants, one row each.</summary>
internal sealed class BulkOperationTenantMapping : IEntityTypeConfiguration<BulkOperationTenant>
{
    public void Configure(EntityTypeBuilder<BulkOperationTenant> builder)
    {
        builder.ToTable("BulkOperationTenants");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Error).HasMaxLength(FreeText.MaxLength);
        builder.Property(t => t.Health).HasMaxLength(16);
        builder.HasIndex(t => new { t.OperationId, t.Ordinal }).IsUnique();
        builder.HasIndex(t => t.TenantId);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The bulk operation tables on the portal's database.</summary>
public static class BulkOperationTables
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<BulkOperation> BulkOperations => db.Set<BulkOperation>();

        public DbSet<BulkOperationTenant> BulkOperationTenants => db.Set<BulkOperationTenant>();
    }
}
