using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.GoLive;

/// <summary>
/// Whether a tenant is live, kept with what decides it: a tenant goes live when every go-live check has passed, whether
/// the last one to pass was recorded by a person or ticked by a drift check; it stops being live when a check done with
/// an agent fails. A drift after going live leaves it live (agents use it), and makes that drift urgent.
/// </summary>
public sealed class GoLiveLedger(IDbContextFactory<SplitCcpDbContext> dbFactory, AuditLog audit, TimeProvider time) : IDriftCheckFollower
{
    /// <summary>After a stored drift check of the tenant: it goes live if its automatic checks were all that was left.</summary>
    public async Task AfterCheckAsync(Guid tenantId, IReadOnlyList<DriftResource> resources, CancellationToken ct)
    {
        var report = ByKey(resources);

        // Most checks change nothing here: only with every automatic check passing is the database asked.
        if (report is null || !GoLiveChecks.Automatic.All(key => GoLiveChecks.Judge(key, report, null).State == GoLiveCheckState.Passed))
        {
            return;
        }

        await TenantGoLiveTable.UpdateAsync(dbFactory, tenantId, async (db, row) =>
            row.LiveSince is null && await SettleAsync(db, row, report, await LatestAsync(db, tenantId, ct), GoLiveChecklist.DriftCheckActor, failed: null, ct), ct);
    }

    /// <summary>
    /// Goes live when every check passes and the tenant is not live yet; ends it when <paramref name="failed"/> (a check done
    /// with an agent, just recorded as failed) says so. Audited, and going live told to the notification endpoints, in
    /// <paramref name="db"/>; true when something changed.
    /// </summary>
    internal async Task<bool> SettleAsync(
        SplitCcpDbContext db, TenantGoLive row, IReadOnlyDictionary<string, DriftResource>? report, IReadOnlyDictionary<string, GoLiveResult> latest,
        string actor, GoLiveResult? failed, CancellationToken ct)
    {
        if (row.LiveSince is null && GoLiveChecks.AllPassed(report, latest))
        {
            row.LiveSince = time.GetUtcNow().UtcDateTime;
            var summary = $"The tenant is live: all {GoLiveChecks.All.Count} go-live checks passed.";
            db.Audit.Add(audit.Entry(row.TenantId, actor, AuditActions.WentLive, summary));
            var lastFailure = await db.GoLiveResults.Where(r => r.TenantId == row.TenantId && !r.Passed).MaxAsync(r => (long?)r.Id, ct) ?? 0;
            db.NotificationEvents.Add(NotificationOutbox.TenantLive(row.TenantId, lastFailure, summary, row.LiveSince.Value));
            return true;
        }

        if (row.LiveSince is not null && failed is { Passed: false })
        {
            row.LiveSince = null;
            db.Audit.Add(audit.Entry(row.TenantId, actor, AuditActions.LiveEnded,
                $"The tenant is no longer live: the go-live check \"{GoLiveChecklist.TitleOf(failed.CheckKey)}\" failed. Test it again once it is fixed."));
            return true;
        }

        return false;
    }

    /// <summary>The latest stored drift check's resources by key, with the check's time; no resources when it looked at none.</summary>
    internal static async Task<GoLiveChecklist.DriftFindings> FindingsAsync(SplitCcpDbContext db, Guid tenantId, CancellationToken ct)
    {
        var latest = await (from d in db.TenantDrift.AsNoTracking()
                            where d.TenantId == tenantId
                            join r in db.DriftReports.AsNoTracking() on d.LatestReportId equals r.Id into reports
                            from r in reports.DefaultIfEmpty()
                            select new { d.CheckedAt, d.Message, Resources = r == null ? null : r.ResourcesJson }).SingleOrDefaultAsync(ct);
        if (latest?.CheckedAt is not { } checkedAt)
        {
            return new(null, null, null);
        }

        var resources = latest.Resources is null ? [] : DriftService.Resources(latest.Resources);
        return new(ByKey(resources), resources.Count == 0 ? latest.Message ?? "The last drift check could not look at the resources." : null, checkedAt);
    }

    /// <summary>Every result recorded for the tenant, oldest first.</summary>
    internal static async Task<List<GoLiveResult>> ResultsAsync(SplitCcpDbContext db, Guid tenantId, CancellationToken ct) =>
        await db.GoLiveResults.AsNoTracking().Where(r => r.TenantId == tenantId).OrderBy(r => r.Id).ToListAsync(ct);

    /// <summary>The latest result of each check, from results oldest first.</summary>
    internal static Dictionary<string, GoLiveResult> Latest(IEnumerable<GoLiveResult> results)
    {
        var latest = new Dictionary<string, GoLiveResult>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            latest[result.CheckKey] = result;
        }

        return latest;
    }

    internal static async Task<Dictionary<string, GoLiveResult>> LatestAsync(SplitCcpDbContext db, Guid tenantId, CancellationToken ct) =>
        Latest(await ResultsAsync(db, tenantId, ct));

    internal static List<AgentReadiness> ReadAgents(string json) =>
        JsonSerializer.Deserialize<List<AgentReadiness>>(json, DriftChecker.Json) ?? [];

    internal static string WriteAgents(IEnumerable<AgentReadiness> agents) => JsonSerializer.Serialize(agents, DriftChecker.Json);

    private static Dictionary<string, DriftResource>? ByKey(IReadOnlyList<DriftResource> resources) =>
        resources.Count == 0 ? null : resources.ToDictionary(r => r.Key, StringComparer.Ordinal);
}
