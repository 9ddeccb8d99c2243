using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Notifications;

/// <summary>The <c>NotificationEndpointTenants</c> table: the tenants an endpoint chose, each row going with its tenant.</summary>
internal sealed class NotificationEndpointTenantMapping : IEntityTypeConfiguration<NotificationEndpointTenant>
{
    public void Configure(EntityTypeBuilder<NotificationEndpointTenant> builder)
    {
        builder.ToTable("NotificationEndpointTenants");
        builder.HasKey(t => new { t.EndpointId, t.TenantId });
        builder.HasIndex(t => t.TenantId);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
