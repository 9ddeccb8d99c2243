using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>Changes to a tenant's <see cref="TenantDrift"/> row, made when the tenant has none yet.</summary>
internal static class TenantDriftRows
{
    /// <summary>
    /// Loads the tenant's row in a context of its own (adding one when there is none), lets <paramref name="change"/> change
    /// it, and saves when it asks to. Two first rows written at once (a first check and the auto-remediation switch) meet at
    /// the unique key: the loser runs again on the winner's row. False when the tenant no longer exists.
    /// </summary>
    public static async Task<bool> UpdateAsync(
        IDbContextFactory<SplitCcpDbContext> dbFactory, Guid tenantId, Func<SplitCcpDbContext, TenantDrift, Task<bool>> change, CancellationToken ct)
    {
        // No existence check first: a tenant deleted meanwhile has its row refused by the foreign key, below.
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var state = await db.TenantDrift.SingleOrDefaultAsync(d => d.TenantId == tenantId, ct);
            var first = state is null;
            if (state is null)
            {
                state = new TenantDrift { TenantId = tenantId, Status = TenantHealthStatus.Unknown };
                db.TenantDrift.Add(state);
            }

            if (!await change(db, state))
            {
                return true;
            }

            try
            {
                await db.SaveChangesAsync(ct);
                return true;
            }
            catch (DbUpdateException ex) when (StorageFault.From(ex) is null)
            {
                if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
                {
                    return false;
                }

                if (!first || attempt > 1)
                {
                    throw;
                }
            }
        }
    }
}
