using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// The portal's model, shared by one context type per database engine (<see cref="SqliteSplitCcpDbContext"/>,
/// <see cref="PostgreSqlSplitCcpDbContext"/>), each with migrations of its own, as EF Core keeps migrations for several
/// providers. Everything else asks for <c>IDbContextFactory&lt;SplitCcpDbContext&gt;</c> and gets the configured engine's.
/// </summary>
public abstract class SplitCcpDbContext(DbContextOptions options)
    : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    private bool _holdingGate;

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Saves through the engine's <see cref="WriteGate"/>, if it has one; a save with nothing to write does not queue.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        if (!ChangeTracker.HasChanges() || WriteGate is not { } gate || _holdingGate)
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }

        gate.Wait();
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc cref="SaveChanges(bool)"/>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) =>
        ChangeTracker.HasChanges()
            ? WriteAsync(token => base.SaveChangesAsync(acceptAllChangesOnSuccess, token), cancellationToken)
            : base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);

    /// <summary>
    /// Runs a bulk write (<c>ExecuteUpdateAsync</c>, <c>ExecuteDeleteAsync</c>) through the same gate as a save: a bulk write
    /// that skipped it would hold SQLite's lock while a gated writer slept on it, and everyone behind that writer would wait too.
    /// A transaction of several writes runs whole inside one call: the writes and saves within it pass the gate this context holds.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken = default)
    {
        if (WriteGate is not { } gate || _holdingGate)
        {
            return await write(cancellationToken);
        }

        await gate.WaitAsync(cancellationToken);
        _holdingGate = true;
        try
        {
            return await write(cancellationToken);
        }
        finally
        {
            _holdingGate = false;
            gate.Release();
        }
    }

    /// <summary>Where writers queue before they write, one at a time; null where the engine takes writers side by side.</summary>
    private protected virtual SemaphoreSlim? WriteGate => null;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(SplitCcpDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite keeps no kind with a DateTime, and Npgsql writes only UTC ones to a timestamp with time zone: everything
        // stored is UTC, so make it so when writing and say so when reading it back.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
