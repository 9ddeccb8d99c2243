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
/// whose process no longer runs (so a restart resumes at once, without waiting out the lease). A claim takes an apply only
/// if it is still as free as it was read: on SQLite a compare-and-set on the owner and lease read; on PostgreSQL, where
/// replicas share the database, one statement that locks the rows it takes and skips those another replica is locking
/// (<c>FOR UPDATE SKIP LOCKED</c>), so replicas sweeping at once neither wait on each other nor take the same apply.
/// Every write the running owner makes to the apply first checks, in the same transaction, that it still holds the claim
/// (<see cref="SaveHoldingAsync"/>): an owner that stalled past its lease while another took the apply over stops there.
/// </summary>
public sealed class ApplyClaims(IDbContextFactory<SplitCcpDbContext> dbFactory, IOptions<ReconciliationOptions> options, TimeProvider time)
{
    private static readonly string s_machine = ThisMachine();

    private readonly string _start = Guid.NewGuid().ToString("N");

    /// <summary>This process's name as an owner: machine, process ID and a random part (a restarted container has the same ID).</summary>
    public string Owner => string.Create(CultureInfo.InvariantCulture, $"{Machine}:{Environment.ProcessId}:{_start}");

    /// <summary>
    /// Where this process's ID names it: the host name and, on Linux, the kernel's boot and the process-ID namespace, so
    /// neither two containers that share a host name (host networking, a fixed hostname) nor two machines named alike pass
    /// for one machine, where a process ID that is not running would mean a portal that is gone. Tests stand for another
    /// machine by setting it.
    /// </summary>
    internal string Machine { get; init; } = s_machine;

    /// <summary>Parameters: owner, lease until, the applies found free, now, the owners found gone.</summary>
    private const string ClaimLocking = """
        UPDATE "Applies" SET "ClaimedBy" = {0}, "LeaseUntil" = {1}
        WHERE "Id" IN (
            SELECT "Id" FROM "Applies"
            WHERE "Id" = ANY({2}) AND "State" IN ('Pending', 'Running')
                AND ("ClaimedBy" IS NULL OR "ClaimedBy" = {0} OR "LeaseUntil" IS NULL OR "LeaseUntil" < {3} OR "ClaimedBy" = ANY({4}))
            ORDER BY "CreatedAt"
            FOR UPDATE
        """;

    private const string ClaimReturning = """
        )
        RETURNING "Id" AS "Value"
        """;

    private const string ClaimSkippingLocked = ClaimLocking + " SKIP LOCKED" + ClaimReturning;

    private const string ClaimWaitingForLocks = ClaimLocking + ClaimReturning;

    private TimeSpan Lease => options.Value.ApplyLease;

    /// <summary>Claims the apply for this process. False when it is finished, gone, or held by another process that is alive.</summary>
    public async Task<bool> TryClaimAsync(Guid applyId, CancellationToken ct) => (await ClaimAsync(applyId, ct)).Count == 1;

    /// <summary>Claims every unfinished apply this process may run: unclaimed, its own, or held by an owner that is gone; oldest first.</summary>
    public Task<IReadOnlyList<Guid>> ClaimAvailableAsync(CancellationToken ct) => ClaimAsync(null, ct);

    /// <summary>
    /// Extends the lease of every unfinished apply this process holds. A process that holds none writes nothing: every
    /// replica renews at every sweep, and an idle one should not write to the database (or fail on a read-only disk) for it.
    /// </summary>
    public async Task RenewAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var held = db.Applies.Where(a => a.ClaimedBy == Owner && (a.State == ApplyState.Pending || a.State == ApplyState.Running));
        if (!await held.AnyAsync(ct))
        {
            return;
        }

        var until = time.GetUtcNow().UtcDateTime + Lease;
        await db.WriteAsync(token => held.ExecuteUpdateAsync(s => s.SetProperty(a => a.LeaseUntil, until), token), ct);
    }

    /// <summary>
    /// Saves <paramref name="db"/>'s changes to the apply and its steps only while this process holds its claim: in one
    /// transaction with a check of the claim, which renews the lease too.
    /// </summary>
    /// <exception cref="ApplyClaimLostException">Another process has taken the apply over (or it is finished or gone); nothing was saved.</exception>
    public async Task SaveHoldingAsync(SplitCcpDbContext db, Guid applyId, CancellationToken ct)
    {
        var until = time.GetUtcNow().UtcDateTime + Lease;
        var held = await db.WriteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            // Within the gate this context holds already, as every write inside this transaction.
            if (await db.WriteAsync(inner => db.Applies
                    .Where(a => a.Id == applyId && a.ClaimedBy == Owner && (a.State == ApplyState.Pending || a.State == ApplyState.Running))
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.LeaseUntil, until), inner), token) == 0)
            {
                return false;
            }

            await db.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            return true;
        }, ct);
        if (!held)
        {
            throw new ApplyClaimLostException(applyId);
        }
    }

    /// <summary>Checks that this process still holds the apply's claim, and renews its lease.</summary>
    /// <exception cref="ApplyClaimLostException">It does not.</exception>
    public async Task ConfirmAsync(Guid applyId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await SaveHoldingAsync(db, applyId, ct);
    }

    private async Task<IReadOnlyList<Guid>> ClaimAsync(Guid? only, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var free = (await db.Applies.AsNoTracking()
                .Where(a => (a.State == ApplyState.Pending || a.State == ApplyState.Running) && (only == null || a.Id == only))
                .OrderBy(a => a.CreatedAt).Select(a => new Seen(a.Id, a.ClaimedBy, a.LeaseUntil)).ToListAsync(ct))
            .Where(a => IsFree(a, now, db is SqliteSplitCcpDbContext)).ToList();
        if (free.Count == 0)
        {
            return [];
        }

        var until = now + Lease;
        return db is PostgreSqlSplitCcpDbContext
            ? await ClaimLockingAsync(db, free, now, until, skipLocked: only is null, ct)
            : await ClaimEachAsync(db, free, until, ct);
    }

    /// <summary>Each apply by a compare-and-set on the owner and lease read, which a renewal or another claim since changed.</summary>
    private async Task<IReadOnlyList<Guid>> ClaimEachAsync(SplitCcpDbContext db, List<Seen> free, DateTime until, CancellationToken ct)
    {
        var claimed = new List<Guid>();
        foreach (var seen in free)
        {
            if (await db.WriteAsync(token => db.Applies
                    .Where(a => a.Id == seen.Id && (a.State == ApplyState.Pending || a.State == ApplyState.Running)
                        && a.ClaimedBy == seen.ClaimedBy && a.LeaseUntil == seen.LeaseUntil)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.ClaimedBy, Owner).SetProperty(a => a.LeaseUntil, until), token), ct) == 1)
            {
                claimed.Add(seen.Id);
            }
        }

        return claimed;
    }

    /// <summary>
    /// All in one statement that locks each apply and judges it free again as it does. A sweep skips the applies another
    /// transaction has locked (another replica claiming them, or their owner writing to them) instead of waiting for them;
    /// a claim of one apply waits the moment such a lock lasts, so that a renewal of this process's own lease does not
    /// turn it away.
    /// </summary>
    private async Task<IReadOnlyList<Guid>> ClaimLockingAsync(SplitCcpDbContext db, List<Seen> free, DateTime now, DateTime until, bool skipLocked, CancellationToken ct)
    {
        var ids = free.Select(a => a.Id).ToArray();
        var gone = free.Where(a => a.ClaimedBy is { } owner && owner != Owner && a.LeaseUntil >= now).Select(a => a.ClaimedBy!).Distinct().ToArray();
        return await db.Database.SqlQueryRaw<Guid>(skipLocked ? ClaimSkippingLocked : ClaimWaitingForLocks, Owner, until, ids, now, gone).ToListAsync(ct);
    }

    private bool IsFree(Seen apply, DateTime now, bool sqlite) => IsFree(apply.ClaimedBy, apply.LeaseUntil, now, sqlite);

    /// <summary>
    /// Whether work held by <paramref name="claimedBy"/> until <paramref name="leaseUntil"/> may be taken by this process:
    /// unclaimed, its own, its lease lapsed, or its owner a portal process that is gone. For other work claimed the same way.
    /// </summary>
    internal bool IsFree(string? claimedBy, DateTime? leaseUntil, DateTime now, bool sqlite) =>
        claimedBy is not { } owner || owner == Owner || leaseUntil is null || leaseUntil < now || IsGone(owner, sqlite);

    /// <summary>True for an owner that was a portal process on this machine and no longer runs.</summary>
    private bool IsGone(string owner, bool sqlite)
    {
        var parts = owner.Split(':');
        if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        if (parts[0] != Machine)
        {
            // A restarted container has a new process-ID namespace and is PID 1 again. On SQLite the data folder lock keeps
            // every other portal process off the database, so an owner of this host name with this process's ID is an
            // earlier start of this one; on PostgreSQL it may be a replica on the same host name, alive.
            return sqlite && pid == Environment.ProcessId && HostOf(parts[0]) == HostOf(Machine);
        }

        // The same process ID with another random part is an earlier start of this portal.
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

    private static string HostOf(string machine) => machine.Split('/')[0];

    private static string ThisMachine()
    {
        var host = Environment.MachineName;
        if (!OperatingSystem.IsLinux())
        {
            return host;
        }

        try
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            var pidNamespace = new string([.. (new FileInfo("/proc/self/ns/pid").LinkTarget ?? "").Where(char.IsAsciiDigit)]);
            return $"{host}/{boot}/{pidNamespace}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return host;
        }
    }

    /// <summary>An apply's claim as read.</summary>
    private sealed record Seen(Guid Id, string? ClaimedBy, DateTime? LeaseUntil);
}

/// <summary>
/// This process no longer holds the claim of the apply it runs: it stalled past its lease and another portal process took
/// the apply over (or the apply was removed). The run must stop at once and leave the apply to its owner.
/// </summary>
public sealed class ApplyClaimLostException(Guid applyId)
    : Exception($"This portal process no longer holds apply {applyId}: another process took it over, or it was removed.")
{
    public Guid ApplyId { get; } = applyId;
}
