using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Persistence.Configurations;

internal sealed class UserTenantEntityTypeConfiguration : IEntityTypeConfiguration<UserTenant>
{
    public void Configure(EntityTypeBuilder<UserTenant> builder)
    {
        builder.ToTable("UserTenants");
        builder.HasKey(ut => new { ut.UserId, ut.TenantId });
        builder.HasIndex(ut => ut.TenantId);
        builder.HasOne<AppUser>().WithMany(u => u.Tenants).HasForeignKey(ut => ut.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(ut => ut.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
