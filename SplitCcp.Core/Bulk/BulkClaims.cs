using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation;

namespace SplitCcp.Core.Bulk;

/// <summary>
/// Which portal process runs which bulk operation, claimed as applies are (<see cref="ApplyClaims"/>): an owner and a lease
/// on the operation's row, renewed while the owner lives; another process takes a Running operation only once its owner
/// is gone (its lease lapsed, or it was a portal on this machine that no longer runs, so a restart resumes at once). A claim
/// is a compare-and-set on the owner and lease read, so of two replicas claiming at once one gets it.
/// </summary>
public sealed class BulkClaims(IDbContextFactory<SplitCcpDbContext> dbFactory, ApplyClaims processes, IOptions<ReconciliationOptions> options, TimeProvider time)
{
    /// <summary>How long a claim holds without being renewed: an apply's lease.</summary>
    public TimeSpan Lease => options.Value.ApplyLease;

    /// <summary>Claims every Running operation this process may run, oldest first: unclaimed, its own, or its owner gone.</summary>
    public async Task<IReadOnlyList<Guid>> ClaimAvailableAsync(CancellationToken ct) => await ClaimAsync(null, ct);

    /// <summary>Claims the operation; false when it has ended or another live process holds it.</summary>
    public async Task<bool> TryClaimAsync(Guid id, CancellationToken ct) => (await ClaimAsync(id, ct)).Count == 1;

    /// <summary>Extends the lease of every Running operation this process holds.</summary>
    public async Task RenewAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var until = time.GetUtcNow().UtcDateTime + Lease;
        await db.WriteAsync(token => db.BulkOperations
            .Where(o => o.ClaimedBy == processes.Owner && o.State == BulkOperationState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseUntil, until), token), ct);
    }

    /// <summary>Renews this process's claim of the operation; false when it no longer holds it (taken over, or ended).</summary>
    public async Task<bool> HoldAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var until = time.GetUtcNow().UtcDateTime + Lease;
        return await db.WriteAsync(token => db.BulkOperations
            .Where(o => o.Id == id && o.ClaimedBy == processes.Owner && o.State == BulkOperationState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseUntil, until), token), ct) == 1;
    }

    private async Task<IReadOnlyList<Guid>> ClaimAsync(Guid? only, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var sqlite = db is SqliteSplitCcpDbContext;
        var seen = await db.BulkOperations.AsNoTracking()
            .Where(o => o.State == BulkOperationState.Running && (only == null || o.Id == only))
            .OrderBy(o => o.CreatedAt).Select(o => new { o.Id, o.ClaimedBy, o.LeaseUntil }).ToListAsync(ct);
        var until = now + Lease;
        var owner = processes.Owner;
        var claimed = new List<Guid>();
        foreach (var operation in seen.Where(o => processes.IsFree(o.ClaimedBy, o.LeaseUntil, now, sqlite)))
        {
            if (await db.WriteAsync(token => db.BulkOperations
                    .Where(o => o.Id == operation.Id && o.State == BulkOperationState.Running && o.ClaimedBy == operation.ClaimedBy && o.LeaseUntil == operation.LeaseUntil)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.ClaimedBy, owner).SetProperty(o => o.LeaseUntil, until), token), ct) == 1)
            {
                claimed.Add(operation.Id);
            }
        }

        return claimed;
    }
}
