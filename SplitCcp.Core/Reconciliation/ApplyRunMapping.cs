using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Reconciliation;

/// <summary>The <c>Applies</c> table: one row per apply, at most one active per tenant.</summary>
internal sealed class ApplyRunMapping : IEntityTypeConfiguration<ApplyRun>
{
    public void Configure(EntityTypeBuilder<ApplyRun> builder)
    {
        builder.ToTable("Applies");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.RequestedBy).HasMaxLength(256);
        builder.Property(a => a.Error).HasMaxLength(FreeText.MaxLength);
        builder.Property(a => a.ClaimedBy).HasMaxLength(200);
        builder.HasIndex(a => new { a.TenantId, a.CreatedAt });

        // One active apply per tenant, whichever process or replica asks: the database refuses a second.
        builder.HasIndex(a => a.TenantId).IsUnique().HasFilter("\"State\" IN ('Pending', 'Running')").HasDatabaseName("IX_Applies_OneActivePerTenant");
        builder.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(a => a.Steps).WithOne().HasForeignKey(s => s.ApplyId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>Applies</c> table on the portal's database.</summary>
public static class ApplyTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<ApplyRun> Applies => db.Set<ApplyRun>();
    }
}
