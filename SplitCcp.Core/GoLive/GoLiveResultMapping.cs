using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.GoLive;

/// <summary>The <c>GoLiveResults</c> table: every recorded go-live check result, oldest first.</summary>
internal sealed class GoLiveResultMapping : IEntityTypeConfiguration<GoLiveResult>
{
    public void Configure(EntityTypeBuilder<GoLiveResult> builder)
    {
        builder.ToTable("GoLiveResults");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.CheckKey).HasMaxLength(64);
        builder.Property(r => r.Note).HasMaxLength(GoLiveChecks.MaxNoteLength);
        builder.Property(r => r.Agent).HasMaxLength(256);
        builder.Property(r => r.RecordedBy).HasMaxLength(256);
        builder.HasIndex(r => new { r.TenantId, r.CheckKey, r.Id });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>GoLiveResults</c> table on the portal's database.</summary>
public static class GoLiveResultTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<GoLiveResult> GoLiveResults => db.Set<GoLiveResult>();
    }
}
