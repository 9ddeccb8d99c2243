using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation;

/// <summary>The <c>ApplySteps</c> table: an apply's steps, in plan order.</summary>
internal sealed class ApplyStepMapping : IEntityTypeConfiguration<ApplyStep>
{
    public void Configure(EntityTypeBuilder<ApplyStep> builder)
    {
        builder.ToTable("ApplySteps");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.ResourceKey).HasMaxLength(300);
        builder.Property(s => s.Title).HasMaxLength(300);
        builder.Property(s => s.Action).HasMaxLength(16);
        builder.Property(s => s.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Message).HasMaxLength(FreeText.MaxLength);
        builder.HasIndex(s => new { s.ApplyId, s.Ordinal }).IsUnique();
    }
}

/// <summary>The <c>ApplySteps</c> table on the portal's database.</summary>
public static class ApplyStepTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<ApplyStep> ApplySteps => db.Set<ApplyStep>();
    }
}
