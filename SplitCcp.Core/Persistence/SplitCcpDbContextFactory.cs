using Microsoft.EntityFrameworkCore;

namespace SplitCcp.Core.Persistence;

/// <summary>Hands out the configured engine's contexts as the shared model, which is all the rest of the portal knows.</summary>
internal sealed class SplitCcpDbContextFactory<TContext>(IDbContextFactory<TContext> engine) : IDbContextFactory<SplitCcpDbContext>
    where TContext : SplitCcpDbContext
{
    public SplitCcpDbContext CreateDbContext() => engine.CreateDbContext();

    public async Task<SplitCcpDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await engine.CreateDbContextAsync(cancellationToken);
}
