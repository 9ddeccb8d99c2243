using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>
/// Shares the drift passes of portal replicas on one database (<see cref="DriftClaim"/>): a pass claims the tenants it
/// checks a few at a time, least recently checked first, so replicas passing at once split the tenants and none is
/// checked twice in a pass. A tenant is due in a pass when no live claim holds it, this pass has not claimed it yet, and no
/// pass claimed it after the pass's cut-off (<see cref="CutOff"/>). On PostgreSQL a claim takes the due rows with
/// <c>FOR UPDATE SKIP LOCKED</c>, so replicas claiming at once pass each other by; on SQLite, written by one process at a
/// time, the claim is one compare-and-set statement. A claim lapses after twice <see cref="DriftOptions.TenantTimeout"/>,
/// longer than its check may take, so a replica that stops mid-pass leaves its tenants to the next pass.
/// </summary>
public sealed class DriftClaims(
    IDbContextFactory<SplitCcpDbContext> dbFactory, ApplyClaims processes, IOptions<StorageOptions> storage, IOptionsMonitor<DriftOptions> options,
    TimeProvider time)
{
    // Adds the rows of tenants made since the last pass; a tenant's row goes with it.
    private const string AddMissingSql = """
        INSERT INTO "DriftClaims" ("TenantId")
        SELECT t."Id" FROM "Tenants" AS t WHERE NOT EXISTS (SELECT 1 FROM "DriftClaims" AS c WHERE c."TenantId" = t."Id")
        ON CONFLICT DO NOTHING
        """;

    // {0} owner, {1} pass, {2} now, {3} lease end, {4} cut-off, {5} how many; {6} locks the due rows on PostgreSQL.
    private const string ClaimSql = """
        WITH due AS (
            SELECT c."TenantId" FROM "DriftClaims" AS c
            LEFT JOIN "TenantDrift" AS d ON d."TenantId" = c."TenantId"
            WHERE (c."LeaseUntil" IS NULL OR c."LeaseUntil" < {2})
              AND (c."PassId" IS NULL OR c."PassId" <> {1})
              AND (c."ClaimedAt" IS NULL OR c."ClaimedAt" <= {4})
            ORDER BY d."CheckedAt" NULLS FIRST
            LIMIT {5}
            {6}
        )
        UPDATE "DriftClaims" SET "ClaimedBy" = {0}, "PassId" = {1}, "ClaimedAt" = {2}, "LeaseUntil" = {3}
        WHERE "TenantId" IN (SELECT "TenantId" FROM due)
        RETURNING "TenantId" AS "Value"
        """;

    /// <summary>Whether other replicas may pass over the same tenants: the database is PostgreSQL.</summary>
    public bool Shared => storage.Value.Engine == StorageProvider.PostgreSql;

    /// <summary>
    /// The time after which a claim by any pass means the tenant was checked for this one. "Check all" takes every tenant no
    /// pass claimed since it started, or since the moment it was given (<see cref="DriftPassInfo.NotCheckedSince"/>). A scheduled pass on a shared database takes those no pass claimed in the half interval
    /// before it started, so replicas whose timers are not aligned still check each tenant about once an interval; with one
    /// portal on SQLite a scheduled pass takes every tenant, as "check all" does.
    /// </summary>
    public DateTime CutOff(DriftPassInfo pass) =>
        pass.NotCheckedSince is { } since ? since
        : pass.Trigger == DriftWorker.ScheduleTrigger && Shared ? pass.StartedAt - (options.CurrentValue.Interval / 2) : pass.StartedAt;

    /// <summary>Readies the claims for the pass: every tenant gets its row; answers how many tenants are due.</summary>
    public async Task<int> OpenAsync(DriftPassInfo pass, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.WriteAsync(token => db.Database.ExecuteSqlRawAsync(AddMissingSql, token), ct);
        var now = time.GetUtcNow().UtcDateTime;
        var cutOff = CutOff(pass);
        return await db.DriftClaims.CountAsync(c => (c.LeaseUntil == null || c.LeaseUntil < now) && (c.ClaimedAt == null || c.ClaimedAt <= cutOff), ct);
    }

    /// <summary>Claims up to <paramref name="count"/> due tenants for the pass, least recently checked first; none when none is left.</summary>
    public async Task<IReadOnlyList<Guid>> ClaimAsync(DriftPassInfo pass, int count, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var until = now + (options.CurrentValue.TenantTimeout * 2);
        var sql = ClaimSql.Replace("{6}", Shared ? "FOR UPDATE OF c SKIP LOCKED" : "", StringComparison.Ordinal);
        return await db.WriteAsync(token => db.Database.SqlQueryRaw<Guid>(sql, processes.Owner, pass.Id, now, until, CutOff(pass), count).ToListAsync(token), ct);
    }

    /// <summary>Ends the pass's claim on the tenant, its check stored; a claim that lapsed and was taken since is not touched.</summary>
    public async Task ReleaseAsync(DriftPassInfo pass, Guid tenantId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.WriteAsync(token => db.DriftClaims
            .Where(c => c.TenantId == tenantId && c.PassId == pass.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LeaseUntil, (DateTime?)null), token), ct);
    }
}
