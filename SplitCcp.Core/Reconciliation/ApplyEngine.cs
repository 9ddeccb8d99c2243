using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Notifications;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation;

/// <summary>Where an apply can be interrupted; tests stop the engine at each to prove it resumes without acting twice.</summary>
public enum ApplyCheckpoint
{
    /// <summary>The step's Started journal row is written; nothing is done yet.</summary>
    StepStarted,

    /// <summary>AWS has been asked to make the change; the step has not been recorded as done.</summary>
    ChangeRequested,

    /// <summary>The step's end journal row is written.</summary>
    StepFinished,
}

/// <summary>
/// Raised whenever an apply's state or one of its steps changes, so open pages refresh at once: on every replica, as
/// <see cref="ReplicaNotifications"/> passes this process's changes on and raises theirs here.
/// </summary>
public sealed class ApplyNotifier
{
    /// <summary>An apply of this process or another replica changed.</summary>
    public event Action<Guid, Guid>? Changed;

    /// <summary>Raised once when an apply this process ran ends, succeeded or failed; never for another replica's.</summary>
    public event Action<Guid, Guid>? Finished;

    /// <summary>This process's own changes, for <see cref="ReplicaNotifications"/> to pass on to the other replicas.</summary>
    internal event Action<Guid, Guid>? Published;

    public void Notify(Guid tenantId, Guid applyId)
    {
        Published?.Invoke(tenantId, applyId);
        Changed?.Invoke(tenantId, applyId);
    }

    public void NotifyFinished(Guid tenantId, Guid applyId)
    {
        Published?.Invoke(tenantId, applyId);
        Changed?.Invoke(tenantId, applyId);
        Finished?.Invoke(tenantId, applyId);
    }

    /// <summary>A change another replica made: open pages show it; what follows an apply's end is that replica's to do.</summary>
    internal void NotifyFromReplica(Guid tenantId, Guid applyId) => Changed?.Invoke(tenantId, applyId);
}

/// <summary>
/// Runs one apply: the steps stored when it was accepted, the plan its caller confirmed, with no plan of its own. It visits
/// every resource in dependency order, re-observing each right before changing it and writing a journal row before and
/// after; a resource without a step (in sync when confirmed) is only observed, for its dependents. A process that stops
/// half-way leaves the apply Running, and running it again resumes: every step observes AWS first, so what was done is
/// seen as done and nothing is created twice. The tenant's account is opened once per run, and its whole-apply retries use it.
/// </summary>
public sealed partial class ApplyEngine(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    TenantSpecService specs,
    Reconciler reconciler,
    IAwsAccountFactory accounts,
    AuditLog audit,
    ApplyNotifier notifier,
    ApplySlots slots,
    ApplyClaims claims,
    ApplyMetrics metrics,
    IOptions<ReconciliationOptions> options,
    TimeProvider time,
    ILogger<ApplyEngine> logger)
{
    /// <summary>Called at each <see cref="ApplyCheckpoint"/>; for tests that simulate a crash there.</summary>
    internal Func<ApplyCheckpoint, string, CancellationToken, Task>? OnCheckpoint { get; set; }

    private readonly ConcurrentDictionary<Guid, Task> _running = new();

    /// <summary>Whether this process is running the apply now (or waiting for a slot to).</summary>
    public bool IsRunning(Guid applyId) => _running.ContainsKey(applyId);

    /// <summary>
    /// Runs the apply if this process can claim it (<see cref="ApplyClaims"/>): to its end, or until it stops on a fault that
    /// leaves it to be resumed. A second call while this process runs it waits for that run instead of starting another.
    /// </summary>
    public async Task RunAsync(Guid applyId, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_running.GetOrAdd(applyId, done.Task) is var running && running != done.Task)
        {
            await running.WaitAsync(ct);
            return;
        }

        try
        {
            if (await claims.TryClaimAsync(applyId, ct))
            {
                await RunClaimedAsync(applyId, ct);
            }
        }
        catch (ApplyClaimLostException)
        {
            // Stalled past its lease while another process took the apply over: that process finishes it, and this one
            // leaves it alone, its state included.
            LogClaimLost(logger, applyId);
        }
        finally
        {
            _running.TryRemove(applyId, out _);
            done.SetResult();
        }
    }

    private async Task RunClaimedAsync(Guid applyId, CancellationToken ct)
    {
        using var activity = ApplyMetrics.StartApply(applyId);
        using var slot = await slots.TakeAsync(ct);
        var run = await StartAsync(applyId, ct);
        if (run is null)
        {
            return;
        }

        var account = new RunAccount(accounts);
        try
        {
            while (await ExecuteAsync(run, slot, account, ct) is { } failure)
            {
                if (run.Retries >= options.Value.ApplyRetries)
                {
                    await FinishAsync(run, run.Retries == 0 ? failure
                        : $"{failure} The portal retried the whole apply {DisplayText.Count(run.Retries, "time")} and AWS went on refusing; apply again later.", ct);
                    return;
                }

                var delay = options.Value.ApplyRetryDelay * Math.Pow(2, run.Retries);
                await ScheduleRetryAsync(run, failure, delay, ct);
                await slot.AwayAsync(() => Task.Delay(delay, time, ct), ct);
                await UpdateAsync(run, stored =>
                {
                    stored.RetryAt = null;
                    stored.Error = null;
                }, ct);
            }
        }
        // A storage fault (the disk full, the folder read-only) is not the apply's failure: it stays Running, claimed by this
        // process, and the runner's next sweep resumes it from its journal once writes work again.
        catch (Exception ex) when (ex is not (OperationCanceledException or ApplyClaimLostException) && StorageFault.From(ex) is null)
        {
            LogApplyCrashed(logger, ex, applyId);
            await FinishAsync(run, "The apply stopped on an unexpected error; see the server log. Apply again to continue.", ct);
        }
    }

    private async Task<ApplyRun?> StartAsync(Guid applyId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Applies.Include(a => a.Steps).SingleOrDefaultAsync(a => a.Id == applyId, ct);
        if (run is null || run.State is ApplyState.Succeeded or ApplyState.Failed)
        {
            return null;
        }

        run.State = ApplyState.Running;
        run.Attempts++;
        // Interrupted while it waited to be retried: it is retried now.
        run.RetryAt = null;
        run.Error = null;
        run.StartedAt ??= time.GetUtcNow().UtcDateTime;
        if (run.Attempts > 1)
        {
            db.Audit.Add(audit.Entry(run.TenantId, run.RequestedBy, AuditActions.ApplyResumed, $"Resumed the apply after an interruption (attempt {run.Attempts}).", run.Id));
        }

        await claims.SaveHoldingAsync(db, run.Id, ct);
        notifier.Notify(run.TenantId, run.Id);
        return run;
    }

    /// <summary>
    /// One pass over the apply's steps. Null when the apply is finished; otherwise why it failed when every failure was one
    /// that AWS asks to retry later (throttling, a server error), so the whole apply may be retried.
    /// </summary>
    private async Task<string?> ExecuteAsync(ApplyRun run, ApplySlot slot, RunAccount account, CancellationToken ct)
    {
        if (await specs.LoadAsync(run.TenantId, ct) is not var (tenant, record))
        {
            await FinishAsync(run, "The tenant was deleted.", ct);
            return null;
        }

        if (record.IsDraft || record.Version != run.SpecVersion)
        {
            await FinishAsync(run, record.IsDraft
                ? "The setup was opened for editing and saved as a draft after this apply was requested, so it was not applied. Finish the setup, plan, and apply again."
                : $"The setup changed (version {run.SpecVersion} to {record.Version}) after this apply was requested, so it was not applied. Plan and apply again.", ct);
            return null;
        }

        PlanRun pass;
        try
        {
            pass = reconciler.Start(tenant, record.Spec, await account.OpenAsync(tenant, ct));
            pass.Context.WhileWaiting = slot.AwayAsync;
        }
        catch (AwsCallException ex)
        {
            if (ex.Failure.IsTransient)
            {
                return ex.Failure.Message;
            }

            await FinishAsync(run, ex.Failure.Message, ct);
            return null;
        }

        var steps = run.Steps.ToDictionary(s => s.ResourceKey, StringComparer.Ordinal);
        var failures = new FailureTally();

        // Slow AWS operations (an instance being created, a fleet starting) are left running while independent resources
        // go ahead; a resource that depends on one waits for it first.
        var waiting = new OrderedDictionary<string, (ApplyStep Step, Resource Resource)>(StringComparer.Ordinal);
        foreach (var resource in pass.Resources)
        {
            foreach (var dependency in resource.DependsOn.Where(waiting.ContainsKey).ToList())
            {
                await SettleStepAsync(run, waiting[dependency].Step, pass, waiting[dependency].Resource, failures, ct);
                waiting.Remove(dependency);
            }

            if (!steps.TryGetValue(resource.Key, out var step) || step.State == ApplyStepState.Skipped)
            {
                await pass.PlanAsync(resource, ct);
            }
            else if (await RunStepAsync(run, step, pass, resource, failures, ct))
            {
                waiting[resource.Key] = (step, resource);
            }
        }

        foreach (var (step, resource) in waiting.Values)
        {
            await SettleStepAsync(run, step, pass, resource, failures, ct);
        }

        // Before the apply is finished, so the check that follows it judges against what it brought in line; and only while
        // this process holds the apply, as is what follows (the setup learns what AWS assigned).
        await claims.ConfirmAsync(run.Id, ct);
        var inLine = pass.InSyncKeys.ToList();
        await TenantDriftTable.UpdateAsync(dbFactory, run.TenantId, (_, state) =>
        {
            var known = inLine.All(state.InLine.Contains);
            state.RememberInLine(inLine);
            return Task.FromResult(!known);
        }, ct);

        var failed = run.Steps.Where(s => s.State == ApplyStepState.Failed).ToList();
        var failure = failed.Count == 0 ? null : $"{DisplayText.Count(failed.Count, "step")} failed. First: {failed[0].Title}: {failed[0].Message}";
        if (failure is not null && failures.Retryable)
        {
            return failure;
        }

        // Before the apply is finished, so whoever sees it finished finds the setup files that need these values ready.
        await RecordLearnedAsync(run, record, pass.Context.Spec, ct);
        await FinishAsync(run, failure, ct);
        return null;
    }

    /// <summary>
    /// Records that the apply waits to be retried as a whole: its steps not done go back to waiting their turn (those that
    /// succeeded stay done, and are only looked at again), and the apply says when and why, in its history too.
    /// </summary>
    private async Task ScheduleRetryAsync(ApplyRun run, string failure, TimeSpan delay, CancellationToken ct)
    {
        var retry = run.Retries + 1;
        var at = time.GetUtcNow().UtcDateTime + delay;
        var note = $"Retrying the whole apply in {Describe(delay)} (retry {retry} of {options.Value.ApplyRetries}): {failure}";
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Applies.Include(a => a.Steps).SingleAsync(a => a.Id == run.Id, ct);
        stored.Retries = run.Retries = retry;
        stored.RetryAt = run.RetryAt = at;
        stored.Error = run.Error = $"{failure} The portal retries the whole apply at {at:HH:mm:ss} UTC (retry {retry} of {options.Value.ApplyRetries}).";
        // Skipped ones too: a step blocked by one that failed, or not readable when the apply was planned, gets its turn.
        foreach (var step in stored.Steps.Where(s => s.State is ApplyStepState.Failed or ApplyStepState.Skipped))
        {
            step.Message = $"{(step.State == ApplyStepState.Failed ? "Failed" : "Not applied")}; to be retried with the whole apply. {step.Message}";
            step.State = ApplyStepState.Pending;
            step.FinishedAt = null;
        }

        db.Audit.Add(audit.Entry(run.TenantId, run.RequestedBy, AuditActions.ApplyRetrying, note, run.Id));
        await claims.SaveHoldingAsync(db, run.Id, ct);
        metrics.Retrying();
        run.Steps = stored.Steps;
        notifier.Notify(run.TenantId, run.Id);
    }

    /// <summary>Changes the stored apply and the one in hand alike.</summary>
    private async Task UpdateAsync(ApplyRun run, Action<ApplyRun> change, CancellationToken ct)
    {
        change(run);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        change(await db.Applies.SingleAsync(a => a.Id == run.Id, ct));
        await claims.SaveHoldingAsync(db, run.Id, ct);
        notifier.Notify(run.TenantId, run.Id);
    }

    private static string Describe(TimeSpan span) => span.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#} min");

    /// <summary>Runs one step up to asking AWS for the change. True when AWS is still working on it and the step must be settled later.</summary>
    private async Task<bool> RunStepAsync(ApplyRun run, ApplyStep step, PlanRun pass, Resource resource, FailureTally failures, CancellationToken ct)
    {
        if (step.State == ApplyStepState.Succeeded)
        {
            // Done before an interruption: observe it only, so its dependents see what it produced.
            await pass.PlanAsync(resource, ct);
            return false;
        }

        using var activity = ApplyMetrics.StartStep(step);
        await JournalAsync(run, step, JournalPhase.Started, ApplyStepState.Running, step.Action switch
        {
            nameof(PlanAction.Create) => $"Creating {resource.Noun}.",
            nameof(PlanAction.Update) => $"Updating {resource.Noun}.",
            _ => $"Reading {resource.Noun}.",
        }, ct);
        await CheckpointAsync(ApplyCheckpoint.StepStarted, step.ResourceKey, ct);
        Observation? observation = null;
        string? failure;
        try
        {
            pass.Context.ReportProgress = (message, token) => JournalAsync(run, step, JournalPhase.Progress, ApplyStepState.InProgress, message, token);
            var (item, observed) = await pass.PlanAsync(resource, ct, throwOnFailure: true);
            if (step.Action.Length == 0 && item.Action is PlanAction.Create or PlanAction.Update)
            {
                // Could not be read when the apply was planned; read now, it has a change to make.
                step.Action = item.Action.ToString();
            }

            if (item.Action is not (PlanAction.Create or PlanAction.Update) || observed is null)
            {
                switch (item.Action)
                {
                    case PlanAction.InSync:
                        await FinishStepAsync(run, step, pass, resource, null, ct);
                        break;
                    case PlanAction.Blocked when step.Action.Length > 0:
                        // Planned as a change, now blocked (a dependency failed, or AWS refused): the change was not made.
                        await FinishStepAsync(run, step, pass, resource, $"Not applied: {item.Reason}", ct);
                        failures.Add(retryable: null);
                        break;
                    default:
                        await JournalAsync(run, step, JournalPhase.Skipped, ApplyStepState.Skipped, item.Reason ?? $"{item.Action}: nothing the API can do.", ct);
                        break;
                }

                return false;
            }

            if (observed.State != ObservedState.InProgress)
            {
                await resource.ApplyAsync(pass.Context, observed, ct);
            }

            await CheckpointAsync(ApplyCheckpoint.ChangeRequested, step.ResourceKey, ct);
            observation = await resource.ObserveAsync(pass.Context, ct);
            if (observation.State == ObservedState.InProgress)
            {
                await JournalAsync(run, step, JournalPhase.Progress, ApplyStepState.InProgress, $"Waiting for {resource.Noun}: {observation.Reason}.", ct);
                return true;
            }

            failure = FailureOf(observation);
            failures.Add(retryable: failure is null ? null : false);
        }
        catch (Exception ex) when (FailureOf(ex) is { } message)
        {
            failure = message;
            failures.Add(IsRetryable(ex));
        }
        finally
        {
            pass.Context.ReportProgress = (_, _) => Task.CompletedTask;
        }

        await FinishStepAsync(run, step, pass, resource, failure, ct);
        return false;
    }

    /// <summary>Waits, with back-off, for AWS to finish a step's slow operation, then records how it ended.</summary>
    private async Task SettleStepAsync(ApplyRun run, ApplyStep step, PlanRun pass, Resource resource, FailureTally failures, CancellationToken ct)
    {
        using var activity = ApplyMetrics.StartStep(step);
        string? failure;
        try
        {
            pass.Context.ReportProgress = (message, token) => JournalAsync(run, step, JournalPhase.Progress, ApplyStepState.InProgress, message, token);
            failure = FailureOf(await SettleAsync(pass.Context, resource, ct));
            failures.Add(retryable: failure is null ? null : false);
        }
        catch (Exception ex) when (FailureOf(ex) is { } message)
        {
            failure = message;
            failures.Add(IsRetryable(ex));
        }
        finally
        {
            pass.Context.ReportProgress = (_, _) => Task.CompletedTask;
        }

        await FinishStepAsync(run, step, pass, resource, failure, ct);
    }

    private async Task FinishStepAsync(ApplyRun run, ApplyStep step, PlanRun pass, Resource resource, string? failure, CancellationToken ct)
    {
        if (failure is null)
        {
            pass.Record(resource, PlanAction.InSync);
            await JournalAsync(run, step, JournalPhase.Succeeded, ApplyStepState.Succeeded, step.Action switch
            {
                nameof(PlanAction.Create) => $"Created {resource.Noun}.",
                nameof(PlanAction.Update) => $"Updated {resource.Noun}.",
                _ => $"Checked {resource.Noun}: it is in sync.",
            }, ct);
        }
        else
        {
            pass.Record(resource, PlanAction.Blocked, $"Applying {resource.Noun} failed.");
            await JournalAsync(run, step, JournalPhase.Failed, ApplyStepState.Failed, failure, ct);
        }

        await CheckpointAsync(ApplyCheckpoint.StepFinished, step.ResourceKey, ct);
    }

    private static string? FailureOf(Observation observation) =>
        observation.InSync ? null
        : observation.State == ObservedState.Blocked ? observation.Reason
        : $"After the change AWS still differs: {string.Join("; ", observation.Differences.Select(d => $"{d.Field} is {d.Actual ?? "missing"}, expected {d.Expected}"))}.";

    /// <summary>The operator's words for a failed step; null for an exception that is not a step's failure (a bug, or shutting down).</summary>
    private static string? FailureOf(Exception exception) => exception switch
    {
        AwsCallException aws => aws.Failure.Message,
        TimeoutException or InvalidOperationException or NotSupportedException => exception.Message,
        _ => null,
    };

    private static bool IsRetryable(Exception exception) => exception is AwsCallException { Failure.IsTransient: true };

    /// <summary>
    /// How a pass's steps failed. The whole apply is worth retrying when some step failed on an error AWS asks to retry later
    /// (throttling, a server error, no answer) once its own call's retries were spent, and none failed on one that retrying
    /// cannot mend (a quota, a refusal, a value AWS rejects). A step not applied because what it needs failed counts for neither.
    /// </summary>
    private sealed class FailureTally
    {
        private bool _transient;
        private bool _final;

        public bool Retryable => _transient && !_final;

        /// <param name="retryable">True for a transient failure, false for a final one, null for neither (no failure, or a blocked step).</param>
        public void Add(bool? retryable)
        {
            _transient |= retryable == true;
            _final |= retryable == false;
        }
    }

    /// <summary>
    /// Keeps in the spec what AWS assigned (a created instance's ID, the distribution's domain) for the setup files, as a new
    /// version of the setup, which the apply takes as its own.
    /// </summary>
    private async Task RecordLearnedAsync(ApplyRun run, TenantSpecRecord record, TenantSpec effective, CancellationToken ct)
    {
        var instanceId = string.IsNullOrWhiteSpace(record.Spec.Connect.InstanceId) ? effective.Connect.InstanceId : null;
        var domain = record.Spec.Hosting.Mode == HostingMode.CloudFront && string.IsNullOrWhiteSpace(record.Spec.Hosting.CloudFrontDomain)
            ? effective.Hosting.CloudFrontDomain : null;
        if (instanceId is null && domain is null)
        {
            return;
        }

        var learned = string.Join(" and ", new[] { instanceId is null ? null : $"Connect instance ID {instanceId}", domain is null ? null : $"CloudFront domain {domain}" }.OfType<string>());
        if (await specs.RecordLearnedAsync(run.TenantId, record.Version, run.RequestedBy, $"Recorded in the setup what the apply created: {learned}.", spec =>
            {
                spec.Connect.InstanceId = string.IsNullOrWhiteSpace(spec.Connect.InstanceId) ? instanceId : spec.Connect.InstanceId;
                spec.Hosting.CloudFrontDomain = string.IsNullOrWhiteSpace(spec.Hosting.CloudFrontDomain) ? domain : spec.Hosting.CloudFrontDomain;
            }, ct, async db =>
            {
                // The new version is the apply's own doing: in the same transaction it takes that version, so if the process
                // stops before the apply is finished, the resumed apply still runs instead of refusing a changed setup.
                var stored = await db.Applies.SingleAsync(a => a.Id == run.Id, ct);
                stored.SpecVersion = run.SpecVersion = record.Version + 1;
            }))
        {
            notifier.Notify(run.TenantId, run.Id);
        }
    }

    /// <summary>Observes the resource until AWS has finished with it (an instance created, a fleet started), with back-off.</summary>
    private static async Task<Observation> SettleAsync(ReconcileContext context, Resource resource, CancellationToken ct)
    {
        var observation = await resource.ObserveAsync(context, ct);
        await context.WaitAsync(resource.Title, async token =>
        {
            observation = await resource.ObserveAsync(context, token);
            return observation.State == ObservedState.InProgress ? observation.Reason : null;
        }, ct);
        return observation;
    }

    /// <summary>Writes a journal row and the step's new state together, in a transaction of their own.</summary>
    private async Task JournalAsync(ApplyRun run, ApplyStep step, JournalPhase phase, ApplyStepState state, string message, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ApplyJournal.Add(new ApplyJournalEntry { ApplyId = run.Id, TenantId = run.TenantId, ResourceKey = step.ResourceKey, Phase = phase, Detail = message, At = now });
        step.State = state;
        step.Message = message;
        step.StartedAt ??= now;
        if (phase is JournalPhase.Succeeded or JournalPhase.Failed or JournalPhase.Skipped)
        {
            step.FinishedAt = now;
            if (phase != JournalPhase.Skipped)
            {
                db.Audit.Add(audit.Entry(run.TenantId, run.RequestedBy,
                    phase == JournalPhase.Succeeded ? AuditActions.StepSucceeded : AuditActions.StepFailed,
                    // A step's own message names what it did; a failure is AWS's words, which may not name the resource.
                    phase == JournalPhase.Succeeded ? message : $"{step.Title}: {message}", run.Id));
            }
        }

        db.ApplySteps.Attach(step).State = EntityState.Modified;
        // Before each step acts, and at every mark of its progress: a process that lost its claim stops here.
        await claims.SaveHoldingAsync(db, run.Id, ct);
        if (phase is JournalPhase.Succeeded or JournalPhase.Failed or JournalPhase.Skipped)
        {
            metrics.StepEnded(phase, message);
        }

        notifier.Notify(run.TenantId, run.Id);
    }

    private async Task FinishAsync(ApplyRun run, string? error, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Applies.SingleAsync(a => a.Id == run.Id, ct);
        stored.State = run.State = error is null ? ApplyState.Succeeded : ApplyState.Failed;
        stored.Error = run.Error = error;
        stored.FinishedAt = run.FinishedAt = time.GetUtcNow().UtcDateTime;
        // A step left mid-way (the apply stopped on an error) must not spin on the page for ever.
        foreach (var open in await db.ApplySteps.Where(s => s.ApplyId == run.Id && (s.State == ApplyStepState.Pending || s.State == ApplyStepState.Running || s.State == ApplyStepState.InProgress)).ToListAsync(ct))
        {
            open.State = ApplyStepState.Skipped;
            open.Message = "Not reached: the apply stopped.";
            open.FinishedAt = stored.FinishedAt;
        }

        var changed = run.Steps.Count(s => s.State == ApplyStepState.Succeeded);
        db.Audit.Add(audit.Entry(run.TenantId, run.RequestedBy, AuditActions.ApplyFinished,
            error is null ? $"Apply finished: {DisplayText.Count(changed, "change")} made." : $"Apply failed: {error}", run.Id));
        if (error is not null)
        {
            db.NotificationEvents.Add(NotificationOutbox.ApplyFailed(run.TenantId, run.Id, error, stored.FinishedAt.Value));
        }

        await claims.SaveHoldingAsync(db, run.Id, ct);
        metrics.Finished(run);
        notifier.NotifyFinished(run.TenantId, run.Id);
    }

    private Task CheckpointAsync(ApplyCheckpoint checkpoint, string key, CancellationToken ct) =>
        OnCheckpoint?.Invoke(checkpoint, key, ct) ?? Task.CompletedTask;

    /// <summary>The tenant's account for one run of an apply: opened by its first pass, used by the retries that follow.</summary>
    private sealed class RunAccount(IAwsAccountFactory accounts)
    {
        private IAwsAccount? _opened;

        public async Task<IAwsAccount> OpenAsync(TenantView tenant, CancellationToken ct) => _opened ??= await accounts.OpenAsync(tenant, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Apply {ApplyId} stopped: this process no longer holds its claim (it stalled past its lease and another portal process took the apply over, or the apply was removed). It is left to its owner.")]
    private static partial void LogClaimLost(ILogger logger, Guid applyId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Apply {ApplyId} stopped on an unexpected error.")]
    private static partial void LogApplyCrashed(ILogger logger, Exception exception, Guid applyId);
}
