using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Observability;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>Raised after every stored check, so open pages can show it without a reload.</summary>
public sealed class DriftNotifier
{
    public event Action<Guid>? Checked;

    public event Action<DriftPassInfo>? PassChanged;

    public void Notify(Guid tenantId) => Checked?.Invoke(tenantId);

    public void Notify(DriftPassInfo pass) => PassChanged?.Invoke(pass);
}

/// <summary>
/// Checks one tenant: plans it with nothing applied, adds the synthetic checks, stores the result as the tenant's latest
/// report (extending the last history row when nothing changed), and starts an apply when the tenant opted in to
/// auto-remediation. A failure of any kind becomes a Failing report with a message; it never escapes to the caller.
/// </summary>
public sealed partial class DriftChecker(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    TenantSpecService specs,
    Reconciler reconciler,
    SyntheticChecks synthetic,
    ReconciliationService reconciliation,
    AuditLog audit,
    DriftNotifier notifier,
    PortalMetrics metrics,
    IOptionsMonitor<DriftOptions> options,
    TimeProvider time,
    ILogger<DriftChecker> logger) : IDisposable
{
    public const string WorkerActor = "drift worker";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<Guid, Task<TenantHealthReport?>> _inFlight = new();

    // A check is shared by everyone who asked for it, so it runs on the checker's own token, not the first caller's: a
    // user leaving the page must not cancel the check the drift pass joined. The tenant timeout still bounds it.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Checks the tenant now, or joins the check of it already under way; null when it no longer exists. Cancelling
    /// <paramref name="ct"/> stops this caller's wait, never the check, which others may be waiting for.
    /// </summary>
    public Task<TenantHealthReport?> CheckAsync(Guid tenantId, CancellationToken ct)
    {
        var mine = new TaskCompletionSource<TenantHealthReport?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _inFlight.GetOrAdd(tenantId, mine.Task);
        if (running == mine.Task)
        {
            _ = RunSharedAsync(tenantId, mine);
        }

        return running.WaitAsync(ct);
    }

    private async Task RunSharedAsync(Guid tenantId, TaskCompletionSource<TenantHealthReport?> shared)
    {
        try
        {
            shared.SetResult(await CheckCoreAsync(tenantId, _stopping.Token));
        }
#pragma warning disable CA1031 // Handed to every caller through the shared task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            shared.SetException(ex);
        }
        finally
        {
            _inFlight.TryRemove(KeyValuePair.Create(tenantId, shared.Task));
        }
    }

    /// <summary>Stops the checks under way when the portal shuts down.</summary>
    public void Dispose() => _stopping.Cancel();

    private async Task<TenantHealthReport?> CheckCoreAsync(Guid tenantId, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        if (await specs.LoadAsync(tenantId, ct) is not var (tenant, record))
        {
            return null;
        }

        var outcome = await ObserveAsync(tenant, record, ct);
        var duration = time.GetElapsedTime(started);
        var stored = await StoreAsync(tenantId, outcome, duration, ct);
        if (stored is null)
        {
            return null;
        }

        metrics.RecordCheck(duration, outcome.Status);
        notifier.Notify(tenantId);
        if (stored.AutoRemediate && outcome.Fixable)
        {
            await RemediateAsync(record, outcome, ct);
        }

        return new TenantHealthReport(tenantId, tenant.DisplayName, outcome.Status, stored.CheckedAt, stored.Since, duration.TotalMilliseconds,
            outcome.Message, stored.AutoRemediate, outcome.Resources);
    }

    private async Task<Outcome> ObserveAsync(Tenants.TenantView tenant, TenantSpecRecord record, CancellationToken ct)
    {
        if (!record.Exists || record.IsDraft)
        {
            return new Outcome(TenantHealthStatus.Unknown, "The setup is not finished yet, so there is nothing to compare AWS with.", [], false);
        }

        var timeout = options.CurrentValue.TenantTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            var (plan, context) = await reconciler.PlanWithContextAsync(tenant, record.Spec, limit.Token);
            var resources = plan.Items.Select(ToResource).ToList();
            resources.AddRange(await synthetic.RunAsync(context, plan, limit.Token));
            var status = resources.Any(r => r.State == DriftState.Error) ? TenantHealthStatus.Failing
                : resources.Any(r => r.IsOutOfLine) ? TenantHealthStatus.Drifted
                : TenantHealthStatus.Healthy;
            return new Outcome(status, null, resources, status == TenantHealthStatus.Drifted && plan.HasChanges);
        }
        catch (AwsCallException ex)
        {
            // The account itself could not be opened: no stored secret, a role that cannot be assumed, an unreachable endpoint.
            return new Outcome(TenantHealthStatus.Failing, ex.Failure.Message, [], false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(TenantHealthStatus.Failing,
                $"The check took longer than {Describe(timeout)} and was stopped. AWS may be throttling this account or answering slowly; the next check tries again.",
                [], false);
        }
#pragma warning disable CA1031 // One tenant's unexpected failure is reported on that tenant and must not stop the others' checks.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogCheckCrashed(logger, ex, tenant.Id);
            return new Outcome(TenantHealthStatus.Failing, "The check stopped on an unexpected error; see the server log.", [], false);
        }
    }

    /// <summary>A plan item in drift terms: what was found, not what apply would do.</summary>
    internal static DriftResource ToResource(PlanItem item) => item.Action switch
    {
        PlanAction.InSync => new(item.Key, item.Title, DriftState.InSync, [], null),
        PlanAction.Update => new(item.Key, item.Title, DriftState.Drifted, item.Changes, item.Reason),
        PlanAction.Create when item.Observed && item.Reason is not null => new(item.Key, item.Title, DriftState.Drifted, item.Changes, item.Reason),
        PlanAction.Create => new(item.Key, item.Title, DriftState.Missing, item.Changes, item.Reason),
        PlanAction.Manual => new(item.Key, item.Title,
            item.Changes.Count == 0 || item.Changes.All(c => c.Actual is null) ? DriftState.Missing : DriftState.Drifted, item.Changes,
            item.Reason ?? "Needs a step in the AWS console; the tenant's plan has the instructions."),
        _ when item.Unreadable => new(item.Key, item.Title, DriftState.Error, [], item.Reason),
        _ when item.Observed => new(item.Key, item.Title, DriftState.Drifted, item.Changes, item.Reason),
        _ => new(item.Key, item.Title, DriftState.NotChecked, [], item.Reason),
    };

    private async Task<StoredCheck?> StoreAsync(Guid tenantId, Outcome outcome, TimeSpan duration, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var resourcesJson = JsonSerializer.Serialize(outcome.Resources, Json);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{outcome.Status}\n{outcome.Message}\n{resourcesJson}")));
        var drifted = outcome.Resources.Count(r => r.IsOutOfLine);
        var errors = outcome.Resources.Count(r => r.State == DriftState.Error);

        StoredCheck? stored = null;
        var exists = await TenantDriftRows.UpdateAsync(dbFactory, tenantId, async (db, state) =>
        {
            DriftReport? report = null;
            if (state.LatestReportId is { } latestId && state.Fingerprint == fingerprint)
            {
                report = await db.DriftReports.SingleOrDefaultAsync(r => r.Id == latestId, ct);
            }

            if (report is null)
            {
                report = new DriftReport
                {
                    Id = Guid.CreateVersion7(), TenantId = tenantId, Status = outcome.Status, FirstCheckedAt = now, Message = outcome.Message,
                    ResourcesJson = resourcesJson, Fingerprint = fingerprint, DriftedCount = drifted, ErrorCount = errors,
                };
                db.DriftReports.Add(report);
            }

            report.LastCheckedAt = now;
            report.Checks++;

            state.Status = outcome.Status;
            state.CheckedAt = now;
            state.DurationMs = Math.Round(duration.TotalMilliseconds, 1);
            state.DriftedCount = drifted;
            state.ErrorCount = errors;
            state.Message = outcome.Message;
            state.LatestReportId = report.Id;
            state.Fingerprint = fingerprint;
            stored = new StoredCheck(now, report.FirstCheckedAt, state.AutoRemediate);
            return true;
        }, ct);

        // Null when the tenant was deleted while it was being checked.
        return exists ? stored : null;
    }


    /// <summary>Applies the setup version the check compared; if it was saved again since, the apply refuses to run it.</summary>
    private async Task RemediateAsync(TenantSpecRecord record, Outcome outcome, CancellationToken ct)
    {
        var tenantId = record.TenantId;
        var drifted = outcome.Resources.Where(r => r.IsOutOfLine).Select(r => r.Title).ToList();
        var summary = $"Auto-remediation: a drift check found {Count(drifted.Count, "resource")} out of line ({string.Join(", ", drifted.Take(5))}{(drifted.Count > 5 ? ", …" : "")}); applying the setup to fix it.";
        var result = await reconciliation.StartAsync(record, $"{WorkerActor} (auto-remediation)", summary, ct);
        if (result is not ApplyStartResult.Started)
        {
            var why = result switch
            {
                ApplyStartResult.AlreadyRunning running => $"an apply ({running.ApplyId}) is already running",
                ApplyStartResult.NotReady notReady => notReady.Reason,
                _ => "the tenant was not found",
            };
            await audit.RecordAsync(tenantId, WorkerActor, AuditActions.DriftRemediation, $"Auto-remediation skipped: {why}.", ct: ct);
        }
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string Describe(TimeSpan span) => span.TotalMinutes >= 1 ? Count((int)Math.Round(span.TotalMinutes), "minute") : Count((int)Math.Ceiling(span.TotalSeconds), "second");

    [LoggerMessage(Level = LogLevel.Error, Message = "The drift check of tenant {TenantId} failed unexpectedly.")]
    private static partial void LogCheckCrashed(ILogger logger, Exception exception, Guid tenantId);

    private sealed record Outcome(TenantHealthStatus Status, string? Message, IReadOnlyList<DriftResource> Resources, bool Fixable);

    private sealed record StoredCheck(DateTime CheckedAt, DateTime Since, bool AutoRemediate);
}
