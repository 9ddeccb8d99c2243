using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>
/// The <c>IdentityEvents</c> table: sign-ins, account changes and tokens. No key to the users: an event outlives what it
/// names, and a failed sign-in may name no account at all.
/// </summary>
internal sealed class IdentityEventMapping : IEntityTypeConfiguration<IdentityEvent>
{
    public void Configure(EntityTypeBuilder<IdentityEvent> builder)
    {
        builder.ToTable("IdentityEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(e => e.ActorId).HasMaxLength(450);
        builder.Property(e => e.Actor).HasMaxLength(IdentityEvent.NameMaxLength);
        builder.Property(e => e.SubjectId).HasMaxLength(450);
        builder.Property(e => e.Subject).HasMaxLength(IdentityEvent.NameMaxLength);
        builder.Property(e => e.RemoteAddress).HasMaxLength(IdentityEvent.AddressMaxLength);
        builder.Property(e => e.Summary).HasMaxLength(FreeText.MaxLength);
        builder.HasIndex(e => new { e.Kind, e.Id });
        builder.HasIndex(e => new { e.ActorId, e.Id });
        builder.HasIndex(e => new { e.SubjectId, e.Id });
    }
}

/// <summary>The <c>IdentityEvents</c> table on the portal's database.</summary>
public static class IdentityEventTable
{
    extension(SplitCcpDbContext db)
    {
        public DbSet<IdentityEvent> IdentityEvents => db.Set<IdentityEvent>();
    }
}
