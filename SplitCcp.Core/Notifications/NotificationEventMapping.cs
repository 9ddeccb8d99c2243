using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Notifications;

/// <summary>The <c>NotificationEvents</c> table: the outbox, one row per thing to tell, unique by its key.</summary>
internal sealed class NotificationEventMapping : IEntityTypeConfiguration<NotificationEvent>
{
    public void Configure(EntityTypeBuilder<NotificationEvent> builder)
    {
        builder.ToTable("NotificationEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Key).HasMaxLength(200);
        builder.HasIndex(e => e.Key).IsUnique();
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(e => e.TenantName).HasMaxLength(TenantRules.DisplayNameMaxLength);
        builder.Property(e => e.TenantSlug).HasMaxLength(TenantRules.SlugMaxLength);
        builder.Property(e => e.Status).HasMaxLength(16);
        builder.Property(e => e.PreviousStatus).HasMaxLength(16);
        builder.Property(e => e.Text).HasMaxLength(FreeText.MaxLength);
        builder.HasIndex(e => e.FannedOutAt);
    }
}

/// <summary>The <c>NotificationEvents</c> table on the portal's database.</summary>
public static class NotificationEventTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<NotificationEvent> NotificationEvents => db.Set<NotificationEvent>();
    }
}
