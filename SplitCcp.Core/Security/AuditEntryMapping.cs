using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>The <c>Audit</c> table: a tenant's history. Its key to the tenant is declared by the tenant's mapping.</summary>
internal sealed class AuditEntryMapping : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("Audit");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Actor).HasMaxLength(256);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.Summary).HasMaxLength(FreeText.MaxLength);
        builder.HasIndex(a => new { a.TenantId, a.Id });
    }
}

/// <summary>The <c>Audit</c> table on the portal's database.</summary>
public static class AuditTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<AuditEntry> Audit => db.Set<AuditEntry>();
    }
}
