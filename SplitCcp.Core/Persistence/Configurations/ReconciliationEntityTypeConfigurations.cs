using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Persistence.Configurations;

internal sealed class ApplyRunEntityTypeConfiguration : IEntityTypeConfiguration<ApplyRun>
{
    public void Configure(EntityTypeBuilder<ApplyRun> builder)
    {
        builder.ToTable("Applies");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.RequestedBy).HasMaxLength(256);
        builder.Property(a => a.Error).HasMaxLength(4000);
        builder.Property(a => a.ClaimedBy).HasMaxLength(200);
        builder.HasIndex(a => new { a.TenantId, a.CreatedAt });

        // One active apply per tenant, whichever process or replica asks: the database refuses a second.
        builder.HasIndex(a => a.TenantId).IsUnique().HasFilter("\"State\" IN ('Pending', 'Running')").HasDatabaseName("IX_Applies_OneActivePerTenant");
        builder.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(a => a.Steps).WithOne().HasForeignKey(s => s.ApplyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApplyStepEntityTypeConfiguration : IEntityTypeConfiguration<ApplyStep>
{
    public void Configure(EntityTypeBuilder<ApplyStep> builder)
    {
        builder.ToTable("ApplySteps");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.ResourceKey).HasMaxLength(300);
        builder.Property(s => s.Title).HasMaxLength(300);
        builder.Property(s => s.Action).HasMaxLength(16);
        builder.Property(s => s.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Message).HasMaxLength(4000);
        builder.HasIndex(s => new { s.ApplyId, s.Ordinal }).IsUnique();
    }
}

internal sealed class ApplyJournalEntryEntityTypeConfiguration : IEntityTypeConfiguration<ApplyJournalEntry>
{
    public void Configure(EntityTypeBuilder<ApplyJournalEntry> builder)
    {
        builder.ToTable("ApplyJournal");
        builder.HasKey(j => j.Id);
        builder.Property(j => j.ResourceKey).HasMaxLength(300);
        builder.Property(j => j.Phase).HasConversion<string>().HasMaxLength(16);
        builder.Property(j => j.Detail).HasMaxLength(4000);
        builder.HasIndex(j => new { j.ApplyId, j.Id });
        builder.HasOne<ApplyRun>().WithMany().HasForeignKey(j => j.ApplyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditEntryEntityTypeConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("Audit");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Actor).HasMaxLength(256);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.Summary).HasMaxLength(4000);
        builder.HasIndex(a => new { a.TenantId, a.Id });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SandboxObjectEntityTypeConfiguration : IEntityTypeConfiguration<SandboxObject>
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
