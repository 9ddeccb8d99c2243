using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Tenants;

/// <summary>Changes to a row kept per tenant (keyed by the tenant's ID), made when the tenant has none yet.</summary>
internal static class TenantRows
{
    /// <summary>
    /// Loads the tenant's row in a context of its own (adding one when there is none), lets <paramref name="change"/> change
    /// it, and saves when it asks to. Two first rows written at once (a first check and the auto-remediation switch) meet at
    /// the unique key, as do two changes that record the same event (two replicas that see one tenant turn drifted add the
    /// same notification): the loser runs again on the winner's row. False when the tenant no longer exists.
    /// </summary>
    public static async Task<bool> UpdateAsync<TRow>(
        IDbContextFactory<SplitCcpDbContext> dbFactory, Guid tenantId, Func<Guid, TRow> create, Func<SplitCcpDbContext, TRow, Task<bool>> change, CancellationToken ct)
        where TRow : class
    {
        // No existence check first: a tenant deleted meanwhile has its row refused by the foreign key, below.
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var row = await db.Set<TRow>().FindAsync([tenantId], ct);
            var first = row is null;
            if (row is null)
            {
                row = create(tenantId);
                db.Set<TRow>().Add(row);
            }

            if (!await change(db, row))
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

                if (attempt > 1 || !(first || DuplicateKey.IsCauseOf(ex)))
                {
                    throw;
                }
            }
        }
    }
}
