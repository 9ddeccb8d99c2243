using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// The <c>UserTenants</c> table: which tenants a TenantAdmin or Viewer is assigned to. Its key to the tenant is declared
/// by the tenant's mapping, the side that knows tenants.
/// </summary>
internal sealed class UserTenantMapping : IEntityTypeConfiguration<UserTenant>
{
    public void Configure(EntityTypeBuilder<UserTenant> builder)
    {
        builder.ToTable("UserTenants");
        builder.HasKey(ut => new { ut.UserId, ut.TenantId });
        builder.HasIndex(ut => ut.TenantId);
        builder.HasOne<AppUser>().WithMany(u => u.Tenants).HasForeignKey(ut => ut.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>UserTenants</c> table on the portal's database.</summary>
public static class UserTenantTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<UserTenant> UserTenants => db.Set<UserTenant>();
    }
}
