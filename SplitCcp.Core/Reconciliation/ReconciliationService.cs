using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
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

    /// <summary>The setup is not finished, so there is nothing complete to apply.</summary>
    public sealed record NotReady(string Reason) : ApplyStartResult;

    public sealed record Forbidden : ApplyStartResult;

    public sealed record NotFound : ApplyStartResult;
}

/// <summary>Plans and applies for people, audited: every call takes the <see cref="AuthorizedTenant"/> the request's edge was given.</summary>
public sealed partial class ReconciliationService(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    TenantSpecService specs,
    Reconciler reconciler,
    ApplyRunner runner,
    AuditLog audit,
    TimeProvider time,
    ILogger<ReconciliationService> logger)
{
    public const int MaxApplies = 50;

    public async Task<PlanResult> PlanAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        var tenantId = caller.TenantId;
        if (await specs.GetAsync(caller, ct) is not var (tenant, record))
        {
            return new PlanResult.NotFound();
        }

        Plan plan;
        try
        {
            plan = await reconciler.PlanAsync(tenant, record.Spec, ct);
        }
        catch (AwsCallException ex)
        {
            // The account could not be opened: no stored secret, a role that cannot be assumed, an unreachable endpoint.
            return new PlanResult.Unavailable(ex.Failure.Message);
        }

        // A plan changes nothing: its line in the history is bookkeeping, and storage that cannot take it keeps no one from the plan.
        try
        {
            await audit.RecordAsync(tenantId, caller.Actor, AuditActions.Planned, Summary(plan), ct: ct);
        }
        catch (Exception ex) when (StorageFault.From(ex) is { } fault)
        {
            LogPlanNotRecorded(logger, tenantId, fault.Reason);
        }

        return new PlanResult.Planned(plan);
    }

    public async Task<ApplyStartResult> StartApplyAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        if (!caller.CanWrite)
        {
            return new ApplyStartResult.Forbidden();
        }

        if (await specs.GetAsync(caller, ct) is not var (_, record))
        {
            return new ApplyStartResult.NotFound();
        }

        return await StartAsync(record, caller.Actor, $"Requested an apply of setup version {record.Version}.", ct);
    }

    /// <summary>
    /// Starts an apply of the setup version given, recorded as requested by <paramref name="actor"/>: a user through
    /// <see cref="StartApplyAsync"/>, or the portal itself (auto-remediation, of the version its check compared).
    /// </summary>
    internal async Task<ApplyStartResult> StartAsync(TenantSpecRecord record, string actor, string summary, CancellationToken ct)
    {
        var tenantId = record.TenantId;
        if (!record.Exists || record.IsDraft)
        {
            return new ApplyStartResult.NotReady("Finish the setup wizard first: an apply needs every step of the setup.");
        }

        ApplyRun run;
        for (var attempt = 1; ; attempt++)
        {
            run = new ApplyRun
            {
                Id = Guid.CreateVersion7(), TenantId = tenantId, State = ApplyState.Pending, RequestedBy = actor, CreatedAt = time.GetUtcNow().UtcDateTime,
                SpecVersion = record.Version,
            };
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
                await using var fresh = await dbFactory.CreateDbContextAsync(ct);
                var active = await fresh.Applies.AsNoTracking()
                    .Where(a => a.TenantId == tenantId && (a.State == ApplyState.Pending || a.State == ApplyState.Running))
                    .Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct);
                if (active is { } id)
                {
                    return new ApplyStartResult.AlreadyRunning(id);
                }
            }
        }

        runner.Enqueue(run.Id);
        return new ApplyStartResult.Started(ApplyView.From(run));
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
