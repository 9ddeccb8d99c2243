using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Notifications;

/// <summary>The <c>NotificationDeliveries</c> table: each event to each endpoint, to send and then as the delivery log.</summary>
internal sealed class NotificationDeliveryMapping : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> builder)
    {
        builder.ToTable("NotificationDeliveries");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.LastResponse).HasMaxLength(NotificationDelivery.ResponseLength);
        builder.Property(d => d.LastError).HasMaxLength(FreeText.MaxLength);
        builder.Property(d => d.ClaimedBy).HasMaxLength(200);
        builder.HasIndex(d => new { d.EventId, d.EndpointId }).IsUnique();
        builder.HasIndex(d => new { d.State, d.NextAttemptAt });
        builder.HasIndex(d => new { d.EndpointId, d.CreatedAt });
        builder.HasIndex(d => d.CreatedAt);
        builder.HasOne(d => d.Event).WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(d => d.Endpoint).WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>NotificationDeliveries</c> table on the portal's database.</summary>
public static class NotificationDeliveryTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<NotificationDelivery> NotificationDeliveries => db.Set<NotificationDelivery>();
    }
}
