using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Notifications;

/// <summary>The <c>NotificationEndpoints</c> table: where notifications go.</summary>
internal sealed class NotificationEndpointMapping : IEntityTypeConfiguration<NotificationEndpoint>
{
    public void Configure(EntityTypeBuilder<NotificationEndpoint> builder)
    {
        builder.ToTable("NotificationEndpoints");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Name).HasMaxLength(NotificationRules.MaxNameLength);
        builder.Property(e => e.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Url).HasMaxLength(NotificationRules.MaxUrlLength);
        builder.Property(e => e.Format).HasConversion<string>().HasMaxLength(16);
        builder.PrimitiveCollection(e => e.Events).ElementType(t => t.HasConversion<string>());
        builder.Property(e => e.ProtectedSecret).HasMaxLength(FreeText.MaxLength);

        // No limit: an address of NotificationRules.MaxUrlLength characters is about 2,900 encrypted when it is ASCII, and
        // more when it is not, which an address stored before it was encrypted may be.
        builder.Property(e => e.ProtectedUrl);
        builder.Property(e => e.CreatedBy).HasMaxLength(256);
        builder.HasMany(e => e.Tenants).WithOne().HasForeignKey(t => t.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>NotificationEndpoints</c> table on the portal's database.</summary>
public static class NotificationEndpointTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<NotificationEndpoint> NotificationEndpoints => db.Set<NotificationEndpoint>();
    }
}
