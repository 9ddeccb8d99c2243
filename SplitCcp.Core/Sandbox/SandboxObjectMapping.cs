using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Sandbox;

/// <summary>The <c>SandboxObjects</c> table: every object of every Sandbox account, keyed by tenant, kind and ID.</summary>
internal sealed class SandboxObjectMapping : IEntityTypeConfiguration<SandboxObject>
{
    public void Configure(EntityTypeBuilder<SandboxObject> builder)
    {
        builder.ToTable("SandboxObjects");
        builder.HasKey(o => new { o.TenantId, o.Kind, o.Id });
        builder.Property(o => o.Kind).HasMaxLength(64);
        builder.Property(o => o.Id).HasMaxLength(1024);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(o => o.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>SandboxObjects</c> table on the portal's database.</summary>
public static class SandboxObjectTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<SandboxObject> SandboxObjects => db.Set<SandboxObject>();
    }
}
