using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Persistence.Configurations;

internal sealed class TenantEntityTypeConfiguration : IEntityTypeConfiguration<Tenant>
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
    }
}
