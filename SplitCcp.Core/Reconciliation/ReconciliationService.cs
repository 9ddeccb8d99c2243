using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation;

public sealed record ApplyStepView(int Ordinal, string ResourceKey, string Title, string Action, ApplyStepState State, string? Message, DateTime? StartedAt, DateTime? FinishedAt);

/// <summary>An apply as the API and the UI show it.</summary>
public sealed record ApplyView(
    Guid Id, Guid TenantId, ApplyState State, string RequestedBy, int SpecVersion, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt,
    string? Error, int Attempts, int Retries, DateTime? RetryAt, IReadOnlyList<ApplyStepView> Steps)
{
    public bool IsActive => State is ApplyState.Pending or ApplyState.Running;

    internal static ApplyView From(ApplyRun run) => new(
        run.Id, run.TenantId, run.State, run.RequestedBy, run.SpecVersion, run.CreatedAt, run.StartedAt, run.FinishedAt, run.Error, run.Attempts, run.Retries, run.RetryAt,
        run.Steps.OrderBy(s => s.Ordinal).Select(s => new ApplyStepView(s.Ordinal, s.ResourceKey, s.Title, s.Action, s.State, s.Message, s.StartedAt, s.FinishedAt)).ToList());
}

/// <summary>An apply as asked for: the fingerprint of the plan the caller confirmed (<see cref="Plan.Fingerprint"/>).</summary>
public sealed record ApplyRequest(string? PlanFingerprint);

public abstract record PlanResult
{
    private PlanResult()
    {
    }

    public sealed record Planned(Plan Plan) : PlanResult;

    /// <summary>The tenant's account could not be opened (no credentials, role not assumable); <see cref="Reason"/> says why.</summary>
    public sealed record Unavailable(string Reason) : PlanResult;

    public sealed record NotFound : PlanResult;
}

public abstract record ApplyStartResult
{
    private ApplyStartResult()
    {
    }

    public sealed record Started(ApplyView Apply) : ApplyStartResult;

    /// <summary>Another apply of this tenant is still running.</summary>
    public sealed record AlreadyRunning(Guid ApplyId) : ApplyStartResult;

    /// <summary>
    /// The plan now is not the one the caller confirmed: <see cref="Plan"/> is the plan now, to confirm instead, and
    /// <see cref="Changes"/> how it differs; null when the plan confirmed is not known here to compare with.
    /// </summary>
    public sealed record PlanChanged(Plan Plan, IReadOnlyList<PlanItemChange>? Changes) : ApplyStartResult;

    /// <summary>The request does not name a plan's fingerprint; <see cref="Errors"/> says what is wrong, by field.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : ApplyStartResult;

    /// <summary>The tenant's account could not be opened to plan it again; <see cref="Reason"/> says why.</summary>
    public sealed record Unavailable(string Reason) : ApplyStartResult;

    /// <summary>The setup is not finished, so there is nothing complete to apply.</summary>
    public sealed record NotReady(string Reason) : ApplyStartResult;

    public sealed record Forbidden : ApplyStartResult;

    public sealed record NotFound : ApplyStartResult;
}

/// <summary>
/// Plans and applies for people, audited: every call takes the <see cref="AuthorizedTenant"/> the request's edge was given. An apply runs the
/// plan its caller confirmed, named by its fingerprint: the tenant is planned again when the apply is asked for, and if that
/// plan differs the apply is refused with it, to be confirmed instead. The plan accepted is stored as the apply's steps.
/// </summary>
public sealed partial class ReconciliationService(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    TenantSpecService specs,
    Reconciler reconciler,
    RecentPlans recent,
    ApplyRunner runner,
    AuditLog audit,
    TimeProvider time,
    ILogger<ReconciliationService> logger)
{
    public const int MaxApplies = 50;

    /// <summary>The name of the fingerprint in an apply request, as validation errors name it.</summary>
    public const string PlanFingerprintField = "planFingerprint";

    public Task<PlanResult> PlanAsync(AuthorizedTenant caller, CancellationToken ct = default) => PlanAsync(caller.TenantId, caller.Actor, ct);

    /// <summary>Plans the tenant for <paramref name="actor"/>, recorded in its history, with no access check: for work a caller was authorized for when it was asked (a bulk plan).</summary>
    internal async Task<PlanResult> PlanAsync(Guid tenantId, string actor, CancellationToken ct)
    {
        if (await specs.LoadAsync(tenantId, ct) is not var (tenant, record))
        {
            return new PlanResult.NotFound();
        }

        var (plan, unavailable) = await PlanAndRememberAsync(tenant, record, ct);
        if (plan is null)
        {
            return new PlanResult.Unavailable(unavailable!);
        }

        // A plan changes nothing: its line in the history is bookkeeping, and storage that cannot take it keeps no one from the plan.
        try
        {
            await audit.RecordAsync(tenantId, actor, AuditActions.Planned, Summary(plan), ct: ct);
        }
        catch (Exception ex) when (StorageFault.From(ex) is { } fault)
        {
            LogPlanNotRecorded(logger, tenantId, fault.Reason);
        }

        return new PlanResult.Planned(plan);
    }

    /// <summary>
    /// Applies the plan whose <see cref="Plan.Fingerprint"/> the caller confirmed: plans the tenant again, and starts the
    /// apply only if that plan has the same fingerprint; otherwise returns it as <see cref="ApplyStartResult.PlanChanged"/>.
    /// </summary>
    public async Task<ApplyStartResult> StartApplyAsync(AuthorizedTenant caller, string? planFingerprint, CancellationToken ct = default)
    {
        if (!caller.CanWrite)
        {
            return new ApplyStartResult.Forbidden();
        }

        var tenantId = caller.TenantId;
        if (!PlanFingerprint.IsWellFormed(planFingerprint))
        {
            return new ApplyStartResult.Invalid(new Dictionary<string, string[]>
            {
                [PlanFingerprintField] = [string.IsNullOrEmpty(planFingerprint)
                    ? $"Name the plan you confirmed: POST /api/tenants/{tenantId}/plan first and send its 'fingerprint' here."
                    : $"A plan's fingerprint is {PlanFingerprint.Length} hex digits, as POST /api/tenants/{tenantId}/plan returns it; plan first and send that."],
            });
        }

        return await PlanForApplyAsync(tenantId, async (record, plan) =>
            !string.Equals(plan.Fingerprint, planFingerprint, StringComparison.OrdinalIgnoreCase)
                ? new ApplyStartResult.PlanChanged(plan, recent.Find(tenantId, planFingerprint!) is { } confirmed ? PlanComparison.Between(confirmed, plan) : null)
                : await StartAsync(record, plan, caller.Actor, $"Requested an apply of setup version {record.Version} (plan {plan.Fingerprint[..12]}).", ct), ct);
    }

    /// <summary>
    /// Plans the tenant now and applies that plan, for <paramref name="actor"/>, with no access check: for work a caller
    /// was authorized for when it was asked and confirmed as a whole (a bulk apply). <paramref name="summary"/> words the
    /// history's entry from the setup version and the plan applied; <paramref name="alongside"/> adds to the apply's own
    /// save what must be stored with it, such as who is waiting for it, so no restart can come between the two.
    /// </summary>
    internal Task<ApplyStartResult> StartApplyOfPlanNowAsync(
        Guid tenantId, string actor, Func<TenantSpecRecord, Plan, string> summary, Action<SplitCcpDbContext, Guid> alongside, CancellationToken ct) =>
        PlanForApplyAsync(tenantId, (record, plan) => StartAsync(record, plan, actor, summary(record, plan), ct, alongside), ct);

    /// <summary>
    /// Plans the tenant for an apply and hands the plan to <paramref name="apply"/>; or says why there is nothing to apply:
    /// the tenant is gone, its setup unfinished, an apply of it running, or its account cannot be opened.
    /// </summary>
    private async Task<ApplyStartResult> PlanForApplyAsync(Guid tenantId, Func<TenantSpecRecord, Plan, Task<ApplyStartResult>> apply, CancellationToken ct)
    {
        if (await specs.LoadAsync(tenantId, ct) is not var (tenant, record))
        {
            return new ApplyStartResult.NotFound();
        }

        if (NotReady(record) is { } notReady)
        {
            return notReady;
        }

        // Before planning: while an apply runs, the plan changes under it, and the answer is to wait, not to confirm again.
        if (await ActiveApplyAsync(tenantId, ct) is { } active)
        {
            return new ApplyStartResult.AlreadyRunning(active);
        }

        var (plan, unavailable) = await PlanAndRememberAsync(tenant, record, ct);
        return plan is null ? new ApplyStartResult.Unavailable(unavailable!) : await apply(record, plan);
    }

    /// <summary>The apply's state and error, or null when there is none with this id; with no access check.</summary>
    internal async Task<(ApplyState State, string? Error)?> ApplyOutcomeAsync(Guid applyId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var apply = await db.Applies.AsNoTracking().Where(a => a.Id == applyId).Select(a => new { a.State, a.Error }).SingleOrDefaultAsync(ct);
        return apply is null ? null : (apply.State, apply.Error);
    }

    /// <summary>
    /// Starts an apply of <paramref name="plan"/>, made from the setup version given, recorded as requested by
    /// <paramref name="actor"/>: a user through <see cref="StartApplyAsync"/>, or the portal itself (auto-remediation, of
    /// the plan its check made). The plan's items become the apply's steps, in the same transaction that accepts it.
    /// </summary>
    internal async Task<ApplyStartResult> StartAsync(TenantSpecRecord record, Plan plan, string actor, string summary, CancellationToken ct, Action<SplitCcpDbContext, Guid>? alongside = null)
    {
        var tenantId = record.TenantId;
        if (NotReady(record) is { } notReady)
        {
            return notReady;
        }

        ApplyRun run;
        for (var attempt = 1; ; attempt++)
        {
            run = new ApplyRun
            {
                Id = Guid.CreateVersion7(), TenantId = tenantId, State = ApplyState.Pending, RequestedBy = actor, CreatedAt = time.GetUtcNow().UtcDateTime,
                SpecVersion = record.Version,
            };
            run.Steps = ApplyStep.For(run.Id, plan);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.Applies.Add(run);
            db.Audit.Add(audit.Entry(tenantId, actor, AuditActions.ApplyRequested, summary, run.Id));
            alongside?.Invoke(db, run.Id);
            try
            {
                await db.SaveChangesAsync(ct);
                break;
            }
            catch (DbUpdateException ex) when (attempt < 3 && StorageFault.From(ex) is null)
            {
                // The one-active-apply index refused it: someone else's apply is still running, or was until a moment
                // ago (it finished between the refusal and this look, so asking again succeeds).
                if (await ActiveApplyAsync(tenantId, ct) is { } id)
                {
                    return new ApplyStartResult.AlreadyRunning(id);
                }
            }
        }

        runner.Enqueue(run.Id);
        return new ApplyStartResult.Started(ApplyView.From(run));
    }

    /// <summary>The tenant's plan, kept to compare with when an apply names it; or why the tenant's account could not be opened.</summary>
    private async Task<(Plan? Plan, string? Unavailable)> PlanAndRememberAsync(TenantView tenant, TenantSpecRecord record, CancellationToken ct)
    {
        Plan plan;
        try
        {
            plan = await reconciler.PlanAsync(tenant, record.Spec, ct);
        }
        catch (AwsCallException ex)
        {
            // The account could not be opened: no stored secret, a role that cannot be assumed, an unreachable endpoint.
            return (null, ex.Failure.Message);
        }

        recent.Remember(plan);
        return (plan, null);
    }

    private static ApplyStartResult.NotReady? NotReady(TenantSpecRecord record) => !record.Exists || record.IsDraft
        ? new ApplyStartResult.NotReady("Finish the setup wizard first: an apply needs every step of the setup.")
        : null;

    private async Task<Guid?> ActiveApplyAsync(Guid tenantId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Applies.AsNoTracking()
            .Where(a => a.TenantId == tenantId && (a.State == ApplyState.Pending || a.State == ApplyState.Running))
            .Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>The apply, or null when the tenant has none with this id.</summary>
    public async Task<ApplyView?> GetApplyAsync(AuthorizedTenant caller, Guid applyId, CancellationToken ct = default)
    {
        var tenantId = caller.TenantId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Applies.AsNoTracking().Include(a => a.Steps).SingleOrDefaultAsync(a => a.Id == applyId && a.TenantId == tenantId, ct);
        return run is null ? null : ApplyView.From(run);
    }

    /// <summary>The tenant's latest applies, newest first, without their steps.</summary>
    public async Task<IReadOnlyList<ApplyView>> ListAppliesAsync(AuthorizedTenant caller, int take = 20, CancellationToken ct = default)
    {
        var tenantId = caller.TenantId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var runs = await db.Applies.AsNoTracking().Where(a => a.TenantId == tenantId)
            .OrderByDescending(a => a.CreatedAt).Take(Math.Clamp(take, 1, MaxApplies)).ToListAsync(ct);
        return runs.Select(ApplyView.From).ToList();
    }

    public static string Summary(Plan plan) => plan.IsInSync
        ? $"Planned: all {plan.Items.Count} resources in sync."
        : $"Planned: {plan.Count(PlanAction.Create)} to create, {plan.Count(PlanAction.Update)} to update, {plan.Count(PlanAction.Manual)} manual, {plan.Count(PlanAction.Blocked)} blocked, {plan.Count(PlanAction.InSync)} in sync.";

    [LoggerMessage(Level = LogLevel.Warning, Message = "The plan of tenant {TenantId} was made but is not in its history: {Reason}")]
    private static partial void LogPlanNotRecorded(ILogger logger, Guid tenantId, string reason);
}
