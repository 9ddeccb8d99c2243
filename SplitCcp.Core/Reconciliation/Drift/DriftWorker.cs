using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>
/// Re-checks every tenant on a schedule (<see cref="DriftOptions.Interval"/>, first pass at start). A pass checks
/// <see cref="DriftOptions.MaxConcurrency"/> tenants at once, least recently checked first, each under its own time limit,
/// so a slow or failing tenant takes one slot for at most <see cref="DriftOptions.TenantTimeout"/>. Passes never overlap:
/// "check all" while a pass runs joins it, and a scheduled tick that finds one running waits for it instead of starting another.
/// A pass claims each tenant before it checks it (<see cref="DriftClaims"/>), so replicas on one database split the tenants
/// between their passes; a pass's counts are this process's: the tenants due as it started, and those it checked.
/// </summary>
public sealed partial class DriftWorker(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    DriftChecker checker,
    DriftClaims claims,
    DriftNotifier notifier,
    ApplyNotifier applies,
    IOptionsMonitor<DriftOptions> options,
    TimeProvider time,
    ILogger<DriftWorker> logger) : BackgroundService
{
    /// <summary>The <see cref="DriftPassInfo.Trigger"/> of a pass the schedule started, as opposed to "check all".</summary>
    public const string ScheduleTrigger = "schedule";

    // Claimed at a time, at most: small, so replicas that pass at once take turns rather than one taking the lot.
    private const int ClaimBatch = 8;

    private readonly Lock _lock = new();
    // Never disposed: a host may dispose its services before it stops them (WebApplicationFactory sometimes does), and
    // StopAsync must still be able to cancel the pass. A source without timer or links holds nothing that needs releasing.
    private readonly CancellationTokenSource _stopping = new();
    private Task<DriftPassInfo>? _current;
    private DriftPassInfo? _running;
    private int _checked;

    /// <summary>When the worker started, the reference for readiness until the first pass finishes.</summary>
    public DateTime? StartedAt { get; private set; }

    public DriftPassInfo? LastPass { get; private set; }

    /// <summary>The pass under way, with how many tenants it has checked so far; null between passes.</summary>
    public DriftPassInfo? CurrentPass
    {
        get
        {
            lock (_lock)
            {
                return _running is null ? null : _running with { Checked = Volatile.Read(ref _checked) };
            }
        }
    }

    /// <summary>Why the worker is behind, or null when it is keeping up (or switched off).</summary>
    public string? Staleness()
    {
        var settings = options.CurrentValue;
        if (!settings.Enabled || StartedAt is not { } started)
        {
            return settings.Enabled ? "The drift worker has not started yet." : null;
        }

        var reference = LastPass?.FinishedAt ?? started;
        var limit = settings.Interval * settings.StaleAfterIntervals;
        var age = time.GetUtcNow().UtcDateTime - reference;
        return age <= limit ? null
            : LastPass is null
                ? $"The drift worker has not finished a pass in the {age.TotalMinutes:0} minutes since it started (limit {limit.TotalMinutes:0})."
                : $"The drift worker's last pass finished {age.TotalMinutes:0} minutes ago (limit {limit.TotalMinutes:0}).";
    }

    /// <summary>Checks every tenant now, or joins the pass already under way; completes when that pass finishes.</summary>
    public Task<DriftPassInfo> CheckAllAsync(CancellationToken ct = default) => StartOrJoin("check-all", null).WaitAsync(ct);

    /// <summary>
    /// Checks every tenant that no pass has claimed since <paramref name="notCheckedSince"/>, or joins the pass already
    /// under way: replicas on one database asked at once with the same moment split the tenants between them, none checked
    /// twice, where each one's own start would let a replica that starts later take tenants an earlier one had finished.
    /// </summary>
    public Task<DriftPassInfo> CheckAllAsync(DateTime notCheckedSince, CancellationToken ct = default) => StartOrJoin("check-all", notCheckedSince).WaitAsync(ct);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
        Task? current;
        lock (_lock)
        {
            current = _current;
        }

        if (current is not null)
        {
            await Task.WhenAny(current, Task.Delay(Timeout.Infinite, cancellationToken));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        StartedAt = time.GetUtcNow().UtcDateTime;
        if (!options.CurrentValue.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.CurrentValue.Interval, time);
        using var changes = options.OnChange(o => timer.Period = o.Interval);

        // What an apply did shows on the dashboard and the tenant's page at once, not at the next pass. This is the one
        // check that follows an apply this process ran, whoever started it; another replica checks the applies it runs.
        applies.Finished += CheckAfterApply;
        try
        {
            do
            {
                await StartOrJoin(ScheduleTrigger, null).WaitAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            applies.Finished -= CheckAfterApply;
        }
    }

    private void CheckAfterApply(Guid tenantId, Guid applyId) => _ = Task.Run(async () =>
    {
        try
        {
            await CheckOneAsync(tenantId, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    });

    private Task<DriftPassInfo> StartOrJoin(string trigger, DateTime? notCheckedSince)
    {
        lock (_lock)
        {
            if (_current is { IsCompleted: false } running)
            {
                return running;
            }

            var pass = new DriftPassInfo(Guid.CreateVersion7(), trigger, time.GetUtcNow().UtcDateTime, null, 0, 0) { NotCheckedSince = notCheckedSince };
            _running = pass;
            _checked = 0;
            return _current = Task.Run(() => RunPassAsync(pass, _stopping.Token));
        }
    }

    private async Task<DriftPassInfo> RunPassAsync(DriftPassInfo pass, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        try
        {
            var due = await claims.OpenAsync(pass, ct);
            lock (_lock)
            {
                _running = pass = pass with { Tenants = due };
            }

            notifier.Notify(pass);
            await CheckClaimedAsync(pass, ct);
            await ForgetOldHistoryAsync(settings.HistoryRetention, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A pass that cannot claim tenants is logged and retried on the next tick.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPassFailed(logger, ex);
        }

        var finished = pass with { FinishedAt = time.GetUtcNow().UtcDateTime, Checked = Volatile.Read(ref _checked) };
        lock (_lock)
        {
            LastPass = finished;
            _running = null;
        }

        LogPassFinished(logger, finished.Checked, finished.Tenants, (finished.FinishedAt!.Value - finished.StartedAt).TotalSeconds);
        notifier.Notify(finished);
        return finished;
    }

    /// <summary>
    /// Claims due tenants as slots free up, no more than there are free slots, and checks them; done when none is left to
    /// claim, because each tenant is checked or held by another replica's pass. Waits for the checks under way however it ends.
    /// </summary>
    private async Task CheckClaimedAsync(DriftPassInfo pass, CancellationToken ct)
    {
        var slotCount = options.CurrentValue.MaxConcurrency;
        var slots = new SemaphoreSlim(slotCount);
        var checks = new List<Task>();
        try
        {
            while (true)
            {
                await slots.WaitAsync(ct);
                var free = 1;
                while (free < Math.Min(slotCount, ClaimBatch) && slots.Wait(0, ct))
                {
                    free++;
                }

                var ids = await claims.ClaimAsync(pass, free, ct);
                if (ids.Count == 0)
                {
                    break;
                }

                if (ids.Count < free)
                {
                    slots.Release(free - ids.Count);
                }

                checks.AddRange(ids.Select(id => CheckClaimedAsync(pass, id, slots, ct)));
            }
        }
        finally
        {
            await Task.WhenAll(checks);
            slots.Dispose();
        }
    }

    private async Task CheckClaimedAsync(DriftPassInfo pass, Guid tenantId, SemaphoreSlim slots, CancellationToken ct)
    {
        try
        {
            await CheckOneAsync(tenantId, ct);
            Interlocked.Increment(ref _checked);
            await claims.ReleaseAsync(pass, tenantId, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A claim left unreleased lapses after its lease; the pass carries on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReleaseFailed(logger, ex, tenantId);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// Checks the tenants, <see cref="DriftOptions.MaxConcurrency"/> at once, without claiming them: the check that follows
    /// an apply and a tenant admin's "check all". One tenant's failure (the database, say) is logged and never ends the run for the rest.
    /// </summary>
    internal Task CheckEachAsync(IReadOnlyList<Guid> ids, CancellationToken ct) =>
        Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = options.CurrentValue.MaxConcurrency, CancellationToken = ct },
            async (id, token) => await CheckOneAsync(id, token));

    /// <summary>Checks one tenant; a failure the checker did not report on the tenant is logged, unless the caller gave up.</summary>
    private async Task CheckOneAsync(Guid tenantId, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["TenantId"] = tenantId });
        try
        {
            await checker.CheckAsync(tenantId, ct);
        }
#pragma warning disable CA1031 // The checker reports a tenant's failures on that tenant; anything left must not end the run for the rest.
        catch (Exception ex) when (!ct.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogTenantFailed(logger, ex, tenantId);
        }
    }

    /// <summary>Removes history that ended before the retention window; every tenant's latest result stays.</summary>
    internal async Task<int> ForgetOldHistoryAsync(TimeSpan retention, CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - retention;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WriteAsync(token => db.DriftReports
            .Where(r => r.LastCheckedAt < cutoff && !db.Set<TenantDrift>().Any(d => d.LatestReportId == r.Id))
            .ExecuteDeleteAsync(token), ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The drift check of tenant {TenantId} did not finish; the pass carries on with the other tenants.")]
    private static partial void LogTenantFailed(ILogger logger, Exception exception, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The drift claim of tenant {TenantId} could not be released; it lapses after its lease.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A drift pass ended early on a storage error; the next pass tries again.")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drift pass checked {Checked} of {Tenants} tenants in {Seconds:0.0} s.")]
    private static partial void LogPassFinished(ILogger logger, int @checked, int tenants, double seconds);
}
