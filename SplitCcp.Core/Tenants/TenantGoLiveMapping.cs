using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Tenants;

/// <summary>The <c>TenantGoLive</c> table: one row per tenant, with when it went live.</summary>
internal sealed class TenantGoLiveMapping : IEntityTypeConfiguration<TenantGoLive>
{
    public void Configure(EntityTypeBuilder<TenantGoLive> builder)
    {
        builder.ToTable("TenantGoLive");
        builder.HasKey(g => g.TenantId);
        builder.HasOne<Tenant>().WithOne().HasForeignKey<TenantGoLive>(g => g.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>TenantGoLive</c> table on the portal's database.</summary>
public static class TenantGoLiveTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<TenantGoLive> TenantGoLive => db.Set<TenantGoLive>();
    }

    /// <summary>Changes the tenant's row, adding it first when there is none; see <see cref="TenantRows.UpdateAsync{TRow}"/>.</summary>
    internal static Task<bool> UpdateAsync(
        IDbContextFactory<SplitCcpDbContext> dbFactory, Guid tenantId, Func<SplitCcpDbContext, TenantGoLive, Task<bool>> change, CancellationToken ct) =>
        TenantRows.UpdateAsync(dbFactory, tenantId, id => new TenantGoLive { TenantId = id }, change, ct);
}
