using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation;

/// <summary>The <c>ApplyJournal</c> table: a row before and after each step acts, read to resume an interrupted apply.</summary>
internal sealed class ApplyJournalEntryMapping : IEntityTypeConfiguration<ApplyJournalEntry>
{
    public void Configure(EntityTypeBuilder<ApplyJournalEntry> builder)
    {
        builder.ToTable("ApplyJournal");
        builder.HasKey(j => j.Id);
        builder.Property(j => j.ResourceKey).HasMaxLength(300);
        builder.Property(j => j.Phase).HasConversion<string>().HasMaxLength(16);
        builder.Property(j => j.Detail).HasMaxLength(FreeText.MaxLength);
        builder.HasIndex(j => new { j.ApplyId, j.Id });
        builder.HasOne<ApplyRun>().WithMany().HasForeignKey(j => j.ApplyId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The <c>ApplyJournal</c> table on the portal's database.</summary>
public static class ApplyJournalTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<ApplyJournalEntry> ApplyJournal => db.Set<ApplyJournalEntry>();
    }
}
