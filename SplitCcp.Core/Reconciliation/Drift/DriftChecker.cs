using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>
/// Raised after every stored check and every go-live result, so open pages can show them without a reload: on every
/// replica, as <see cref="ReplicaNotifications"/> passes this process's events on and raises theirs here.
/// </summary>
public sealed class DriftNotifier
{
    public event Action<Guid>? Checked;

    /// <summary>A pass started, or finished; another replica's pass too, with that replica's counts.</summary>
    public event Action<DriftPassInfo>? PassChanged;

    /// <summary>This process's own checks, for <see cref="ReplicaNotifications"/> to pass on to the other replicas.</summary>
    internal event Action<Guid>? CheckPublished;

    /// <summary>This process's own passes, for <see cref="ReplicaNotifications"/> to pass on to the other replicas.</summary>
    internal event Action<DriftPassInfo>? PassPublished;

    public void Notify(Guid tenantId)
    {
        CheckPublished?.Invoke(tenantId);
        Checked?.Invoke(tenantId);
    }

    public void Notify(DriftPassInfo pass)
    {
        PassPublished?.Invoke(pass);
        PassChanged?.Invoke(pass);
    }

    /// <summary>A check another replica stored.</summary>
    internal void NotifyFromReplica(Guid tenantId) => Checked?.Invoke(tenantId);

    /// <summary>Another replica's pass started or finished.</summary>
    internal void NotifyFromReplica(DriftPassInfo pass) => PassChanged?.Invoke(pass);
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
    IEnumerable<IDriftCheckFollower> followers,
    DriftNotifier notifier,
    DriftMetrics metrics,
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

    /// <summary>Called with the tenant's ID each time a check is asked for, joined or not; for tests that count them.</summary>
    internal Action<Guid>? OnCheckAsked { get; set; }

    /// <summary>
    /// Checks the tenant now, or joins the check of it already under way; null when it no longer exists. Cancelling
    /// <paramref name="ct"/> stops this caller's wait, never the check, which others may be waiting for.
    /// </summary>
    public Task<TenantHealthReport?> CheckAsync(Guid tenantId, CancellationToken ct)
    {
        OnCheckAsked?.Invoke(tenantId);
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
            using var activity = DriftMetrics.StartCheck(tenantId);
            var report = await CheckCoreAsync(tenantId, _stopping.Token);
            DriftMetrics.Checked(activity, report);
            shared.SetResult(report);
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
        (Tenants.TenantView Tenant, TenantSpecRecord Record)? loaded;
        try
        {
            loaded = await specs.LoadAsync(tenantId, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A check that cannot start still tells: the tenant is Failing with the reason, never left at its last status.
            LogSetupUnreadable(logger, ex, tenantId);
            return await specs.FindTenantAsync(tenantId, ct) is { } unreadable
                ? await ReportAsync(unreadable, null, Outcome.Whole(TenantHealthStatus.Failing, ex is InvalidOperationException
                    ? $"{ex.Message} Open the tenant's setup and save it again, or restore it from a backup."
                    : "The tenant's setup could not be read, so it was not checked; see the server log."), started, ct)
                : null;
        }

        if (loaded is not var (tenant, record))
        {
            return null;
        }

        return await ReportAsync(tenant, record, await ObserveAsync(tenant, record, ct), started, ct);
    }

    private async Task<TenantHealthReport?> ReportAsync(Tenants.TenantView tenant, TenantSpecRecord? record, Outcome outcome, long started, CancellationToken ct)
    {
        var tenantId = tenant.Id;
        var duration = time.GetElapsedTime(started);
        var stored = await StoreAsync(tenantId, outcome, duration, ct);
        if (stored is null)
        {
            return null;
        }

        var verdict = stored.Verdict;
        if (verdict.Resources.Count > 0)
        {
            foreach (var follower in followers)
            {
                await follower.AfterCheckAsync(tenantId, verdict.Resources, ct);
            }
        }

        metrics.RecordCheck(duration, verdict.Status);
        notifier.Notify(tenantId);
        if (record is not null && outcome.Plan is { } plan && stored.AutoRemediate && verdict.Fixable)
        {
            await RemediateAsync(record, plan, verdict, ct);
        }

        return new TenantHealthReport(tenantId, tenant.DisplayName, verdict.Status, stored.CheckedAt, stored.Since, duration.TotalMilliseconds,
            verdict.Message, stored.AutoRemediate, verdict.Resources);
    }

    private async Task<Outcome> ObserveAsync(Tenants.TenantView tenant, TenantSpecRecord record, CancellationToken ct)
    {
        if (!record.Exists || record.IsDraft)
        {
            return Outcome.Whole(TenantHealthStatus.Unknown, "The setup is not finished yet, so there is nothing to compare AWS with.");
        }

        var timeout = options.CurrentValue.TenantTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            var (plan, context) = await reconciler.PlanWithContextAsync(tenant, record.Spec, limit.Token);
            var resources = plan.Items.Select(ToResource).ToList();
            resources.AddRange(await synthetic.RunAsync(context, plan, limit.Token));
            return new Outcome(null, plan, resources);
        }
        catch (AwsCallException ex)
        {
            // The account itself could not be opened: no stored secret, a role that cannot be assumed, an unreachable endpoint.
            return Outcome.Whole(TenantHealthStatus.Failing, ex.Failure.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Outcome.Whole(TenantHealthStatus.Failing,
                $"The check took longer than {Describe(timeout)} and was stopped. AWS may be throttling this account or answering slowly; the next check tries again.");
        }
#pragma warning disable CA1031 // One tenant's unexpected failure is reported on that tenant and must not stop the others' checks.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogCheckCrashed(logger, ex, tenant.Id);
            return Outcome.Whole(TenantHealthStatus.Failing, "The check stopped on an unexpected error; see the server log.");
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

    /// <summary>
    /// Judges what the check found against the resources the tenant has had in line (read with the row it updates, so an
    /// apply's record of them is never overwritten by an older copy) and stores the result, remembering what is in line now.
    /// </summary>
    private async Task<StoredCheck?> StoreAsync(Guid tenantId, Outcome outcome, TimeSpan duration, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        StoredCheck? stored = null;
        var exists = await TenantDriftTable.UpdateAsync(dbFactory, tenantId, async (db, state) =>
        {
            var live = await db.TenantGoLive.Where(g => g.TenantId == tenantId && g.LiveSince != null).AnyAsync(ct);
            var verdict = outcome.Judge(state.InLine, live);
            if (outcome.Plan is not null)
            {
                state.RememberInLine(verdict.Resources.Where(r => r.State == DriftState.InSync).Select(r => r.Key),
                    verdict.Resources.Select(r => r.Key).ToHashSet(StringComparer.Ordinal));
            }

            var resourcesJson = JsonSerializer.Serialize(verdict.Resources, Json);
            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{verdict.Status}\n{verdict.Message}\n{resourcesJson}")));
            var drifted = verdict.Resources.Count(r => r.IsOutOfLine);
            var errors = verdict.Resources.Count(r => r.State == DriftState.Error);
            DriftReport? report = null;
            if (state.LatestReportId is { } latestId && state.Fingerprint == fingerprint)
            {
                report = await db.DriftReports.SingleOrDefaultAsync(r => r.Id == latestId, ct);
            }

            if (report is null)
            {
                report = new DriftReport
                {
                    Id = Guid.CreateVersion7(), TenantId = tenantId, Status = verdict.Status, FirstCheckedAt = now, Message = verdict.Message,
                    ResourcesJson = resourcesJson, Fingerprint = fingerprint, DriftedCount = drifted, ErrorCount = errors,
                };
                db.DriftReports.Add(report);
            }

            report.LastCheckedAt = now;
            report.Checks++;

            RecordTurn(db, state, verdict, now);
            state.Status = verdict.Status;
            state.CheckedAt = now;
            state.DurationMs = Math.Round(duration.TotalMilliseconds, 1);
            state.DriftedCount = drifted;
            state.ErrorCount = errors;
            state.Message = verdict.Message;
            state.LatestReportId = report.Id;
            state.Fingerprint = fingerprint;
            stored = new StoredCheck(now, report.FirstCheckedAt, state.AutoRemediate, verdict);
            return true;
        }, ct);

        // Null when the tenant was deleted while it was being checked.
        return exists ? stored : null;
    }

    /// <summary>
    /// A tenant that turns Drifted or Failing from another status, or Healthy straight from one of those two, is told to the
    /// notification endpoints that hear it: once per turn, however many checks (or replicas) find it so, until it is
    /// something else and turns again.
    /// </summary>
    private static void RecordTurn(SplitCcpDbContext db, TenantDrift before, HealthVerdict verdict, DateTime at)
    {
        var kind = verdict.Status switch
        {
            TenantHealthStatus.Drifted => NotificationEventKind.TenantDrifted,
            TenantHealthStatus.Failing => NotificationEventKind.TenantFailing,
            TenantHealthStatus.Healthy when before.Status is TenantHealthStatus.Drifted or TenantHealthStatus.Failing => NotificationEventKind.TenantRecovered,
            _ => (NotificationEventKind?)null,
        };
        if (kind is not { } turned || verdict.Status == before.Status)
        {
            return;
        }

        var text = turned == NotificationEventKind.TenantRecovered
            ? $"A drift check found every resource in line again; the tenant was {before.Status} before."
            : TurnText(verdict);
        db.NotificationEvents.Add(NotificationOutbox.TenantTurned(
            turned, before.TenantId, before.Status.ToString(), verdict.Status.ToString(), before.LatestReportId, text, at));
    }

    /// <summary>What the check found, in a sentence: what is out of line, or why AWS did not answer.</summary>
    private static string TurnText(HealthVerdict verdict)
    {
        static string Listed(IReadOnlyList<DriftResource> resources, string what) =>
            $"{DisplayText.Count(resources.Count, "resource")} {what}: {string.Join(", ", resources.Take(5).Select(r => r.Title))}{(resources.Count > 5 ? ", …" : "")}.";

        var outOfLine = verdict.Resources.Where(r => r.IsOutOfLine).ToList();
        var errors = verdict.Resources.Where(r => r.State == DriftState.Error).ToList();
        string? found = verdict.Status == TenantHealthStatus.Failing
            ? errors.Count > 0 ? $"{Listed(errors, "could not be checked")} {errors[0].Message}" : null
            : outOfLine.Count > 0 ? Listed(outOfLine, "out of line") : null;
        return string.Join(' ', new[] { verdict.Message, found }.Where(t => !string.IsNullOrWhiteSpace(t)));
    }

    /// <summary>
    /// Applies the plan the check made, of the setup version it compared; if the setup was saved again since, the apply
    /// refuses to run it.
    /// </summary>
    private async Task RemediateAsync(TenantSpecRecord record, Plan plan, HealthVerdict verdict, CancellationToken ct)
    {
        var tenantId = record.TenantId;
        var drifted = verdict.Resources.Where(r => r.IsOutOfLine).Select(r => r.Title).ToList();
        var summary = $"Auto-remediation: a drift check found {DisplayText.Count(drifted.Count, "resource")} out of line ({string.Join(", ", drifted.Take(5))}{(drifted.Count > 5 ? ", …" : "")}); applying the setup to fix it.";
        var result = await reconciliation.StartAsync(record, plan, $"{WorkerActor} (auto-remediation)", summary, ct);
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

    private static string Describe(TimeSpan span) => span.TotalMinutes >= 1 ? DisplayText.Count((int)Math.Round(span.TotalMinutes), "minute") : DisplayText.Count((int)Math.Ceiling(span.TotalSeconds), "second");

    [LoggerMessage(Level = LogLevel.Error, Message = "The setup of tenant {TenantId} could not be read for its drift check.")]
    private static partial void LogSetupUnreadable(ILogger logger, Exception exception, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The drift check of tenant {TenantId} failed unexpectedly.")]
    private static partial void LogCheckCrashed(ILogger logger, Exception exception, Guid tenantId);

    /// <summary>What a check found: a plan and its resources to judge, or a result for the whole tenant (unfinished setup, no answer).</summary>
    private sealed record Outcome(HealthVerdict? Verdict, Plan? Plan, IReadOnlyList<DriftResource> Resources)
    {
        public static Outcome Whole(TenantHealthStatus status, string message) => new(new HealthVerdict(status, message, [], false), null, []);

        public HealthVerdict Judge(IEnumerable<string> wasInLine, bool live) =>
            Verdict ?? HealthVerdict.Judge(Plan!, Resources, wasInLine.ToHashSet(StringComparer.Ordinal), live);
    }

    private sealed record StoredCheck(DateTime CheckedAt, DateTime Since, bool AutoRemediate, HealthVerdict Verdict);
}
