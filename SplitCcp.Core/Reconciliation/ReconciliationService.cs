using System.Security.Claims;
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
/// Plans and applies for people: every call is scoped through <see cref="ITenantAccess"/> and audited. An apply runs the
/// plan its caller confirmed, named by its fingerprint: the tenant is planned again when the apply is asked for, and if that
/// plan differs the apply is refused with it, to be confirmed instead. The plan accepted is stored as the apply's steps.
/// </summary>
public sealed partial class ReconciliationService(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    ITenantAccess access,
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

    public async Task<PlanResult> PlanAsync(ClaimsPrincipal user, Guid tenantId, CancellationToken ct = default)
    {
        if (await specs.GetAsync(user, tenantId, ct) is not var (tenant, record))
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
            await audit.RecordAsync(tenantId, AuditLog.ActorOf(user), AuditActions.Planned, Summary(plan), ct: ct);
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
    public async Task<ApplyStartResult> StartApplyAsync(ClaimsPrincipal user, Guid tenantId, string? planFingerprint, CancellationToken ct = default)
    {
        switch (await access.CheckAsync(user, tenantId, TenantOperation.Write, ct))
        {
            case TenantAccessResult.NotFound:
                return new ApplyStartResult.NotFound();
            case TenantAccessResult.Forbidden:
                return new ApplyStartResult.Forbidden();
        }

        if (!PlanFingerprint.IsWellFormed(planFingerprint))
        {
            return new ApplyStartResult.Invalid(new Dictionary<string, string[]>
            {
                [PlanFingerprintField] = [string.IsNullOrEmpty(planFingerprint)
                    ? $"Name the plan you confirmed: POST /api/tenants/{tenantId}/plan first and send its 'fingerprint' here."
                    : $"A plan's fingerprint is {PlanFingerprint.Length} hex digits, as POST /api/tenants/{tenantId}/plan returns it; plan first and send that."],
            });
        }

        if (await specs.GetAsync(user, tenantId, ct) is not var (tenant, record))
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
        if (plan is null)
        {
            return new ApplyStartResult.Unavailable(unavailable!);
        }

        if (!string.Equals(plan.Fingerprint, planFingerprint, StringComparison.OrdinalIgnoreCase))
        {
            return new ApplyStartResult.PlanChanged(plan, recent.Find(tenantId, planFingerprint!) is { } confirmed ? PlanComparison.Between(confirmed, plan) : null);
        }

        return await StartAsync(record, plan, AuditLog.ActorOf(user), $"Requested an apply of setup version {record.Version} (plan {plan.Fingerprint[..12]}).", ct);
    }

    /// <summary>
    /// Starts an apply of <paramref name="plan"/>, made from the setup version given, recorded as requested by
    /// <paramref name="actor"/>: a user through <see cref="StartApplyAsync"/>, or the portal itself (auto-remediation, of
    /// the plan its check made). The plan's items become the apply's steps, in the same transaction that accepts it.
    /// </summary>
    internal async Task<ApplyStartResult> StartAsync(TenantSpecRecord record, Plan plan, string actor, string summary, CancellationToken ct)
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

    /// <summary>The apply, or null when it or its tenant is outside the caller's scope.</summary>
    public async Task<ApplyView?> GetApplyAsync(ClaimsPrincipal user, Guid tenantId, Guid applyId, CancellationToken ct = default)
    {
        if (await access.CheckAsync(user, tenantId, TenantOperation.Read, ct) != TenantAccessResult.Allowed)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Applies.AsNoTracking().Include(a => a.Steps).SingleOrDefaultAsync(a => a.Id == applyId && a.TenantId == tenantId, ct);
        return run is null ? null : ApplyView.From(run);
    }

    /// <summary>The tenant's latest applies, newest first, without their steps; null outside the caller's scope.</summary>
    public async Task<IReadOnlyList<ApplyView>?> ListAppliesAsync(ClaimsPrincipal user, Guid tenantId, int take = 20, CancellationToken ct = default)
    {
        if (await access.CheckAsync(user, tenantId, TenantOperation.Read, ct) != TenantAccessResult.Allowed)
        {
            return null;
        }

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
