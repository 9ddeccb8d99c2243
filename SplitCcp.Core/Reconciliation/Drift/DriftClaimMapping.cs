using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>The <c>DriftClaims</c> table: who checks each tenant in the drift pass under way, one row per tenant.</summary>
internal sealed class DriftClaimMapping : IEntityTypeConfiguration<DriftClaim>
{
    public void Configure(EntityTypeBuilder<DriftClaim> builder)
    {
        builder.ToTable("DriftClaims");
        builder.HasKey(c => c.TenantId);
        builder.Property(c => c.ClaimedBy).HasMaxLength(200);
        builder.HasOne<Tenant>().WithOne().HasForeignKey<DriftClaim>(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>DriftClaims</c> table on the portal's database.</summary>
public static class DriftClaimTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<DriftClaim> DriftClaims => db.Set<DriftClaim>();
    }
}
