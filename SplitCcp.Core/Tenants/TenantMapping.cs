using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Core.Tenants;

/// <summary>
/// The <c>Tenants</c> table, and the tenant keys of the rows below tenants that know nothing of them (user assignments,
/// the audit): deleting a tenant deletes those rows too. Rows above tenants (applies, drift, go-live) declare their own key.
/// </summary>
internal sealed class TenantMapping : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("Tenants");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.DisplayName).HasMaxLength(TenantRules.DisplayNameMaxLength).IsRequired();
        builder.Property(t => t.Slug).HasMaxLength(TenantRules.SlugMaxLength).IsRequired();
        builder.HasIndex(t => t.Slug).IsUnique();
        builder.HasIndex(t => t.DisplayName);
        builder.Property(t => t.Region).HasMaxLength(32).IsRequired();
        builder.Property(t => t.AccessMode).HasConversion<string>().HasMaxLength(32);
        builder.Property(t => t.RoleArn).HasMaxLength(2048);
        builder.Property(t => t.ExternalId).HasMaxLength(1224);
        builder.Property(t => t.AccessKeyId).HasMaxLength(128);
        builder.Property(t => t.EndpointUrl).HasMaxLength(2048);
        builder.Property(t => t.Version).IsConcurrencyToken();
        builder.HasMany<UserTenant>().WithOne().HasForeignKey(ut => ut.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany<AuditEntry>().WithOne().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>Tenants</c> table on the portal's database.</summary>
public static class TenantTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<Tenant> Tenants => db.Set<Tenant>();
    }
}
