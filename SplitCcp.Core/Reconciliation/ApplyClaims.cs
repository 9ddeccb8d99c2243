using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// Which portal process runs which apply: an owner and a lease in the database (<see cref="ApplyRun.ClaimedBy"/>,
/// <see cref="ApplyRun.LeaseUntil"/>). A process claims an apply before it runs it, renews its leases while it lives, and
/// takes an apply from another owner only when that owner is gone: its lease lapsed, or it was a portal on this machine
/// whose process no longer runs (so a restart resumes at once, without waiting out the lease). The claim is a compare-and-set
/// on the owner it read, so two processes never both take the same apply.
/// </summary>
public sealed class ApplyClaims(IDbContextFactory<SplitCcpDbContext> dbFactory, IOptions<ReconciliationOptions> options, TimeProvider time)
{
    private static readonly string s_machine = Environment.MachineName;

    /// <summary>This process's name as an owner: machine, process ID and a random part (a restarted container has the same ID).</summary>
    public string Owner { get; } = string.Create(CultureInfo.InvariantCulture, $"{s_machine}:{Environment.ProcessId}:{Guid.NewGuid():N}");

    private TimeSpan Lease => options.Value.ApplyLease;

    /// <summary>Claims the apply for this process. False when it is finished, gone, or held by another process that is alive.</summary>
    public async Task<bool> TryClaimAsync(Guid applyId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var current = await db.Applies.AsNoTracking()
            .Where(a => a.Id == applyId && (a.State == ApplyState.Pending || a.State == ApplyState.Running))
            .Select(a => new { a.ClaimedBy, a.LeaseUntil }).SingleOrDefaultAsync(ct);
        if (current is null || !IsFree(current.ClaimedBy, current.LeaseUntil, now))
        {
            return false;
        }

        var until = now + Lease;
        var seen = current.ClaimedBy;
        return await db.WriteAsync(token => db.Applies
            .Where(a => a.Id == applyId && (a.State == ApplyState.Pending || a.State == ApplyState.Running) && a.ClaimedBy == seen)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ClaimedBy, Owner).SetProperty(a => a.LeaseUntil, until), token), ct) == 1;
    }

    /// <summary>Extends the lease of every unfinished apply this process holds.</summary>
    public async Task RenewAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var until = time.GetUtcNow().UtcDateTime + Lease;
        await db.WriteAsync(token => db.Applies
            .Where(a => a.ClaimedBy == Owner && (a.State == ApplyState.Pending || a.State == ApplyState.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LeaseUntil, until), token), ct);
    }

    /// <summary>Unfinished applies this process may run: unclaimed, its own, or held by an owner that is gone; oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> FindClaimableAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var active = await db.Applies.AsNoTracking()
            .Where(a => a.State == ApplyState.Pending || a.State == ApplyState.Running)
            .OrderBy(a => a.CreatedAt).Select(a => new { a.Id, a.ClaimedBy, a.LeaseUntil }).ToListAsync(ct);
        return [.. active.Where(a => IsFree(a.ClaimedBy, a.LeaseUntil, now)).Select(a => a.Id)];
    }

    private bool IsFree(string? owner, DateTime? leaseUntil, DateTime now) =>
        owner is null || owner == Owner || leaseUntil is null || leaseUntil < now || IsGoneFromThisMachine(owner);

    /// <summary>True for an owner that was a portal process on this machine and no longer runs.</summary>
    private static bool IsGoneFromThisMachine(string owner)
    {
        var parts = owner.Split(':');
        if (parts.Length != 3 || parts[0] != s_machine || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        // The same process ID with another random part is an earlier start of this portal (a restarted container is PID 1 again).
        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
