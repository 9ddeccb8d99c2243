using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Reconciliation.Drift;

public abstract record CheckResult
{
    private CheckResult()
    {
    }

    public sealed record Checked(TenantHealthReport Report) : CheckResult;

    public sealed record Forbidden : CheckResult;

    public sealed record NotFound : CheckResult;
}

/// <summary>What "check all" did: the tenants it checked and how they are now.</summary>
public sealed record CheckAllResult(int Checked, DateTime StartedAt, DateTime FinishedAt, HealthCounts Counts);

/// <summary>The worker's schedule as the dashboard shows it: the pass under way, the last one, and when the next is due.</summary>
public sealed record DriftSchedule(bool Enabled, TimeSpan Interval, DriftPassInfo? Current, DriftPassInfo? Last, DateTime? NextPassAt);

/// <summary>
/// Drift reports, the dashboard and "check now" for people: the dashboard's calls take the caller's <see cref="TenantScope"/>,
/// a tenant's its <see cref="AuthorizedTenant"/>, both from <see cref="ITenantAccess"/> at the request's edge.
/// </summary>
public sealed class DriftService(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    DriftChecker checker,
    DriftWorker worker,
    AuditLog audit,
    IOptionsMonitor<DriftOptions> options,
    TimeProvider time)
{
    public const int MaxHistory = 100;

    /// <summary>The tenant's latest report (Unknown with no resources when it was never checked); null when the tenant was deleted.</summary>
    public async Task<TenantHealthReport?> GetHealthAsync(AuthorizedTenant tenant, CancellationToken ct = default)
    {
        var tenantId = tenant.TenantId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await (from t in db.Tenants.AsNoTracking()
                         where t.Id == tenantId
                         join d in db.TenantDrift on t.Id equals d.TenantId into drift
                         from d in drift.DefaultIfEmpty()
                         join r in db.DriftReports on d!.LatestReportId equals r.Id into reports
                         from r in reports.DefaultIfEmpty()
                         select new { t.DisplayName, Drift = d, Report = r }).SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var latest = row.Drift;
        return new TenantHealthReport(tenantId, row.DisplayName, latest?.Status ?? TenantHealthStatus.Unknown, latest?.CheckedAt, row.Report?.FirstCheckedAt,
            latest?.DurationMs, latest?.Message, latest?.AutoRemediate ?? false, row.Report is null ? [] : Resources(row.Report.ResourcesJson));
    }

    /// <summary>Checks the tenant now and returns the new report. Needs write access: a check costs AWS calls.</summary>
    public async Task<CheckResult> CheckNowAsync(AuthorizedTenant tenant, CancellationToken ct = default)
    {
        if (!tenant.CanWrite)
        {
            return new CheckResult.Forbidden();
        }

        return await checker.CheckAsync(tenant.TenantId, ct) is { } report ? new CheckResult.Checked(report) : new CheckResult.NotFound();
    }

    /// <summary>True when the caller may start checks: they can change at least one tenant.</summary>
    public static bool CanCheck(TenantScope scope) => scope.Allows(TenantOperation.Write) && scope.UserId is not null;

    /// <summary>
    /// Checks every tenant in the caller's scope. For someone who sees every tenant that is a full pass of the worker (joining
    /// the one under way, if any); for someone with a few tenants, those tenants. Null when the caller may not start checks.
    /// </summary>
    public async Task<CheckAllResult?> CheckAllAsync(TenantScope scope, CancellationToken ct = default)
    {
        if (!CanCheck(scope))
        {
            return null;
        }

        var started = time.GetUtcNow().UtcDateTime;
        int count;
        if (scope.AllTenants)
        {
            var pass = await worker.CheckAllAsync(ct);
            started = pass.StartedAt;
            count = pass.Checked;
        }
        else
        {
            // Checks already under way for a tenant are joined, so asking again while these run adds no AWS calls.
            var ids = scope.TenantIds.ToList();
            await worker.CheckEachAsync(ids, ct);
            count = ids.Count;
        }

        return new CheckAllResult(count, started, time.GetUtcNow().UtcDateTime, await CountAsync(scope, ct));
    }

    /// <summary>
    /// The worker's passes: the one under way with its progress, the last finished, and when the next scheduled one starts
    /// (null while a pass runs or when scheduled passes are switched off). A pass's counts cover every tenant: show them only
    /// to callers who see every tenant.
    /// </summary>
    public DriftSchedule GetSchedule()
    {
        var settings = options.CurrentValue;
        var current = worker.CurrentPass;
        DateTime? next = null;
        if (settings.Enabled && current is null && worker.StartedAt is { } started)
        {
            // The worker's timer ticks every interval from its start; a tick missed while a pass ran fires as soon as it ends.
            var now = time.GetUtcNow().UtcDateTime;
            var ticks = Math.Max(1, (long)Math.Ceiling((now - started) / settings.Interval));
            next = started + (settings.Interval * ticks);
        }

        return new DriftSchedule(settings.Enabled, settings.Interval, current, worker.LastPass, next);
    }

    /// <summary>One page of the dashboard: worst first (live and drifted, then failing, drifted, pending, unknown, healthy), then by name.</summary>
    public async Task<TenantHealthPage> ListAsync(TenantScope scope, TenantHealthQuery query, CancellationToken ct = default)
    {
        var page = Math.Max(1, query.Page);
        var pageSize = Math.Clamp(query.PageSize, 1, TenantHealthQuery.MaxPageSize);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = Rows(db, scope, query);
        var total = await rows.CountAsync(ct);
        var items = await rows.Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new TenantHealthPage(items, total, page, pageSize, await CountAsync(db, scope, ct), scope.AllTenants);
    }

    /// <summary>Every tenant the dashboard's filter matches, in its order, its page aside: for an export.</summary>
    public async Task<IReadOnlyList<TenantHealthRow>> ExportAsync(TenantScope scope, TenantHealthQuery query, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Rows(db, scope, query).ToListAsync(ct);
    }

    public async Task<HealthCounts> CountAsync(TenantScope scope, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await CountAsync(db, scope, ct);
    }

    /// <summary>The tenant's history of results, newest first.</summary>
    public async Task<IReadOnlyList<DriftHistoryEntry>> GetHistoryAsync(AuthorizedTenant tenant, int take = 20, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var reports = await History(db, tenant).Take(Math.Clamp(take, 1, MaxHistory)).ToListAsync(ct);
        return reports.Select(r => new DriftHistoryEntry(r.Id, r.Status, r.FirstCheckedAt, r.LastCheckedAt, r.Checks, r.DriftedCount, r.ErrorCount, r.Message,
            Resources(r.ResourcesJson))).ToList();
    }

    /// <summary>
    /// The tenant's whole history, newest first, as long as it is kept (<see cref="DriftOptions.HistoryRetention"/>): for an
    /// export, which has no column for the resources, so each entry's are neither read nor parsed and come back empty.
    /// </summary>
    public async Task<IReadOnlyList<DriftHistoryEntry>> ExportHistoryAsync(AuthorizedTenant tenant, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await History(db, tenant)
            .Select(r => new DriftHistoryEntry(r.Id, r.Status, r.FirstCheckedAt, r.LastCheckedAt, r.Checks, r.DriftedCount, r.ErrorCount, r.Message,
                Array.Empty<DriftResource>()))
            .ToListAsync(ct);
    }

    /// <summary>
    /// How many tenants in scope were healthy, drifted, pending and failing at <paramref name="points"/> moments spread over the last
    /// <paramref name="window"/>, from the stored history: each tenant counts with the result of its latest check at that moment.
    /// </summary>
    public async Task<IReadOnlyList<HealthTrendPoint>> GetTrendAsync(TenantScope scope, TimeSpan window, int points = 48, CancellationToken ct = default)
    {
        points = Math.Clamp(points, 2, 500);
        var now = time.GetUtcNow().UtcDateTime;
        var from = now - window;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var scoped = Scoped(db, scope).Select(t => t.Id);
        var stretches = await db.DriftReports.AsNoTracking()
            .Where(r => r.LastCheckedAt >= from && scoped.Contains(r.TenantId))
            .Select(r => new { r.TenantId, r.Status, r.FirstCheckedAt, r.LastCheckedAt })
            .ToListAsync(ct);
        var byTenant = stretches.GroupBy(s => s.TenantId).Select(g => g.OrderBy(s => s.FirstCheckedAt).ToArray()).ToList();

        // The points move forward in time, so each tenant's cursor only moves forward: one walk over its stretches in all.
        var next = new int[byTenant.Count];
        var result = new List<HealthTrendPoint>(points);
        for (var i = 0; i < points; i++)
        {
            var at = from + (window * i / (points - 1));
            int healthy = 0, drifted = 0, pending = 0, failing = 0;
            for (var t = 0; t < byTenant.Count; t++)
            {
                var history = byTenant[t];
                while (next[t] < history.Length && history[next[t]].FirstCheckedAt <= at)
                {
                    next[t]++;
                }

                var current = next[t] == 0 ? null : history[next[t] - 1];
                switch (current?.Status)
                {
                    case TenantHealthStatus.Healthy:
                        healthy++;
                        break;
                    case TenantHealthStatus.Drifted:
                        drifted++;
                        break;
                    case TenantHealthStatus.Pending:
                        pending++;
                        break;
                    case TenantHealthStatus.Failing:
                        failing++;
                        break;
                }
            }

            result.Add(new HealthTrendPoint(at, healthy, drifted, pending, failing));
        }

        return result;
    }

    /// <summary>Turns auto-remediation on or off for the tenant; audited. False when the caller may not change the tenant.</summary>
    public async Task<TenantAccessResult> SetAutoRemediateAsync(AuthorizedTenant tenant, bool enabled, CancellationToken ct = default)
    {
        if (!tenant.CanWrite)
        {
            return TenantAccessResult.Forbidden;
        }

        var tenantId = tenant.TenantId;
        var exists = await TenantDriftTable.UpdateAsync(dbFactory, tenantId, (db, state) =>
        {
            if (state.AutoRemediate == enabled)
            {
                return Task.FromResult(false);
            }

            state.AutoRemediate = enabled;
            db.Audit.Add(audit.Entry(tenantId, tenant.Actor, AuditActions.DriftSettingsChanged,
                enabled ? "Turned on auto-remediation: drift found by a check is fixed by an apply." : "Turned off auto-remediation."));
            return Task.FromResult(true);
        }, ct);
        return exists ? TenantAccessResult.Allowed : TenantAccessResult.NotFound;
    }

    /// <summary>How many tenants of the whole portal are in each state, for <c>/metrics</c>: not scoped to a user, so internal.</summary>
    internal Task<HealthCounts> CountAllAsync(CancellationToken ct) => CountAsync(TenantScope.Portal, ct);

    private static async Task<HealthCounts> CountAsync(SplitCcpDbContext db, TenantScope scope, CancellationToken ct)
    {
        var tenants = Scoped(db, scope);
        var total = await tenants.CountAsync(ct);
        var counts = await (from d in db.TenantDrift
                            join t in tenants on d.TenantId equals t.Id
                            group d by d.Status into g
                            select new { Status = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Status, g => g.Count, ct);
        var healthy = counts.GetValueOrDefault(TenantHealthStatus.Healthy);
        var drifted = counts.GetValueOrDefault(TenantHealthStatus.Drifted);
        var pending = counts.GetValueOrDefault(TenantHealthStatus.Pending);
        var failing = counts.GetValueOrDefault(TenantHealthStatus.Failing);
        return new HealthCounts(total, healthy, drifted, pending, failing, total - healthy - drifted - pending - failing);
    }

    /// <summary>The dashboard's rows for the filter, worst first, then by name.</summary>
    private static IQueryable<TenantHealthRow> Rows(SplitCcpDbContext db, TenantScope scope, TenantHealthQuery query)
    {
        var rows = from t in Scoped(db, scope)
                   join d in db.TenantDrift on t.Id equals d.TenantId into drift
                   from d in drift.DefaultIfEmpty()
                   join g in db.TenantGoLive on t.Id equals g.TenantId into goLive
                   from g in goLive.DefaultIfEmpty()
                   select new
                   {
                       t.Id, t.DisplayName, t.Slug, t.Region, t.AccessMode,
                       Status = d == null ? TenantHealthStatus.Unknown : d.Status,
                       CheckedAt = d == null ? null : d.CheckedAt,
                       DriftedCount = d == null ? 0 : d.DriftedCount,
                       ErrorCount = d == null ? 0 : d.ErrorCount,
                       Message = d == null ? null : d.Message,
                       LiveSince = g == null ? null : g.LiveSince,
                   };
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = TenantService.ContainsPattern(query.Search);
            rows = rows.Where(t => EF.Functions.Like(t.DisplayName.ToLower(), term, "\\") || EF.Functions.Like(t.Slug.ToLower(), term, "\\"));
        }

        if (query.Status is { } status)
        {
            rows = rows.Where(t => t.Status == status);
        }

        return rows
            .OrderBy(t => t.Status == TenantHealthStatus.Drifted && t.LiveSince != null ? 0 : 1)
            .ThenBy(t => t.Status == TenantHealthStatus.Failing ? 0
                : t.Status == TenantHealthStatus.Drifted ? 1
                : t.Status == TenantHealthStatus.Pending ? 2
                : t.Status == TenantHealthStatus.Unknown ? 3
                : 4)
            .ThenBy(t => t.DisplayName).ThenBy(t => t.Slug)
            .Select(t => new TenantHealthRow(t.Id, t.DisplayName, t.Slug, t.Region, t.AccessMode, t.Status, t.CheckedAt, t.DriftedCount, t.ErrorCount, t.Message, t.LiveSince));
    }

    /// <summary>The tenant's history, newest first.</summary>
    private static IQueryable<DriftReport> History(SplitCcpDbContext db, AuthorizedTenant tenant)
    {
        var tenantId = tenant.TenantId;
        return db.DriftReports.AsNoTracking().Where(r => r.TenantId == tenantId).OrderByDescending(r => r.FirstCheckedAt);
    }

    private static IQueryable<Tenant> Scoped(SplitCcpDbContext db, TenantScope scope)
    {
        var tenants = db.Tenants.AsNoTracking();
        if (scope.AllTenants)
        {
            return tenants;
        }

        var ids = scope.TenantIds.ToList();
        return tenants.Where(t => ids.Contains(t.Id));
    }

    internal static IReadOnlyList<DriftResource> Resources(string json) =>
        JsonSerializer.Deserialize<List<DriftResource>>(json, DriftChecker.Json) ?? [];
}
