using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Bulk;

/// <summary>
/// Starts, reads and cancels bulk operations for people. Scope is as for one tenant: an MSP operator may choose any
/// tenants, a tenant admin or viewer only theirs, and an apply or check needs write access (a plan does not). A request
/// naming a tenant the caller cannot reach is refused whole before anything runs. Each tenant's history records that the
/// operation took it in.
/// </summary>
public sealed class BulkOperationService(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    ITenantAccess access,
    IExistingTenants existing,
    DriftService health,
    BulkRunner runner,
    AuditLog audit,
    IOptions<BulkOptions> options,
    TimeProvider time)
{
    public const int DefaultWaveSize = 5;
    public const int MaxWaveSize = 100;
    public const int MaxRecent = 50;

    /// <summary>The request's fields, as validation errors name them.</summary>
    public const string OperationField = "operation";
    public const string TenantIdsField = "tenantIds";
    public const string HealthField = "health";
    public const string WaveSizeField = "waveSize";

    /// <summary>Which wave the tenant at <paramref name="ordinal"/> falls in: the first is the canary, then waves of <paramref name="waveSize"/>.</summary>
    public static int WaveOf(int ordinal, int waveSize) => ordinal == 0 ? 0 : 1 + ((ordinal - 1) / waveSize);

    /// <summary>How many waves <paramref name="tenants"/> tenants make, the canary included.</summary>
    public static int WavesFor(int tenants, int waveSize) => tenants == 0 ? 0 : WaveOf(tenants - 1, waveSize) + 1;

    /// <summary>Whether the caller may start bulk operations of this kind at all: a plan needs a scope, an apply or check write access.</summary>
    public static bool CanStart(TenantScope scope, BulkOperationKind kind) =>
        scope.UserId is not null && (kind == BulkOperationKind.Plan || scope.Allows(TenantOperation.Write));

    public async Task<BulkStartResult> StartAsync(ClaimsPrincipal user, BulkOperationRequest request, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        var kind = ParseKind(request.Operation, errors);
        var waveSize = request.WaveSize ?? DefaultWaveSize;
        if (waveSize is < 1 or > MaxWaveSize)
        {
            errors[WaveSizeField] = [$"A wave takes 1 to {MaxWaveSize} tenants."];
        }

        if (!BulkHealth.TryParse(request.Health, out var status))
        {
            errors[HealthField] = [$"Health is one of {string.Join(", ", Enum.GetNames<TenantHealthStatus>())}."];
        }

        var listed = request.TenantIds is { Count: > 0 };
        var filtered = request.AllTenants || !string.IsNullOrWhiteSpace(request.Search) || status is not null;
        if (listed && filtered)
        {
            errors[TenantIdsField] = ["Choose tenants either by listing them in 'tenantIds' or by a filter ('search', 'health', 'allTenants'), not both."];
        }
        else if (!listed && !filtered)
        {
            errors[TenantIdsField] = ["Choose the tenants: list them in 'tenantIds', or give a filter ('search', 'health', or 'allTenants': true)."];
        }

        if (errors.Count > 0 || kind is not { } operation)
        {
            return new BulkStartResult.Invalid(errors);
        }

        var scope = await access.GetScopeAsync(user, ct);
        List<Guid> tenantIds;
        if (listed)
        {
            tenantIds = request.TenantIds!.Distinct().ToList();
            var reachable = await existing.WhichExistAsync(tenantIds.Where(scope.Contains).ToList(), ct);
            if (tenantIds.Where(id => !reachable.Contains(id)).ToList() is { Count: > 0 } unreachable)
            {
                return new BulkStartResult.NotFound(unreachable);
            }
        }
        else
        {
            tenantIds = (await health.ExportAsync(scope, new TenantHealthQuery(status, request.Search), ct)).Select(t => t.TenantId).ToList();
            if (tenantIds.Count == 0)
            {
                return new BulkStartResult.Invalid(new Dictionary<string, string[]> { [TenantIdsField] = ["No tenant in your scope matches the filter."] });
            }
        }

        if (tenantIds.Count > options.Value.MaxTenants)
        {
            return new BulkStartResult.Invalid(new Dictionary<string, string[]>
            {
                [TenantIdsField] = [$"A bulk operation takes at most {options.Value.MaxTenants} tenants; {tenantIds.Count} were chosen. Split them into several operations."],
            });
        }

        if (!CanStart(scope, operation))
        {
            return new BulkStartResult.Forbidden(operation == BulkOperationKind.Apply
                ? "Applying needs the TenantAdmin role or higher, and an API token that is not read-only."
                : "Checking needs the TenantAdmin role or higher, and an API token that is not read-only.");
        }

        var actor = AuditLog.ActorOf(user);
        var bulk = new BulkOperation
        {
            Id = Guid.CreateVersion7(), Kind = operation, State = BulkOperationState.Running, RequestedBy = actor, RequestedByUserId = scope.UserId,
            CreatedAt = time.GetUtcNow().UtcDateTime, WaveSize = waveSize, Waves = WavesFor(tenantIds.Count, waveSize),
        };
        bulk.Tenants = tenantIds.Select((id, i) => new BulkOperationTenant
        {
            OperationId = bulk.Id, TenantId = id, Ordinal = i, Wave = WaveOf(i, waveSize), State = BulkTenantState.Pending,
        }).ToList();

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.BulkOperations.Add(bulk);
            foreach (var tenant in bulk.Tenants)
            {
                db.Audit.Add(audit.Entry(tenant.TenantId, actor, AuditActions.BulkRequested,
                    $"Included in a bulk {Verb(operation)} of {DisplayText.Count(tenantIds.Count, "tenant")} ({bulk.Id}): {WaveName(tenant.Wave)} of {bulk.Waves}."));
            }

            await db.SaveChangesAsync(ct);
        }

        runner.Enqueue(bulk.Id);
        return new BulkStartResult.Started(await ReadAsync(bulk.Id, ct) ?? throw new InvalidOperationException($"Bulk operation {bulk.Id} vanished as it was made."));
    }

    /// <summary>The operation with its waves and tenants; null when there is none with this id the caller may see.</summary>
    public async Task<BulkOperationView?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        var scope = await access.GetScopeAsync(user, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Visible(db, scope).AnyAsync(o => o.Id == id, ct) ? await ReadAsync(id, ct) : null;
    }

    /// <summary>The latest operations the caller may see, newest first: an operation is visible to whoever sees every one of its tenants.</summary>
    public async Task<IReadOnlyList<BulkOperationSummary>> ListAsync(ClaimsPrincipal user, int take = 20, CancellationToken ct = default)
    {
        var scope = await access.GetScopeAsync(user, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var operations = await Visible(db, scope).AsNoTracking().Include(o => o.Tenants)
            .OrderByDescending(o => o.CreatedAt).Take(Math.Clamp(take, 1, MaxRecent)).AsSplitQuery().ToListAsync(ct);
        return operations.Select(o =>
        {
            var counts = Count(o.Tenants);
            return new BulkOperationSummary(o.Id, o.Kind, o.State, o.RequestedBy, o.CreatedAt, o.FinishedAt, o.Waves, o.StoppedAtWave, counts, Summarize(o, o.Tenants));
        }).ToList();
    }

    /// <summary>Asks the operation to stop before its next wave: the wave under way finishes, the ones after it are not run.</summary>
    public async Task<BulkCancelResult> CancelAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        var scope = await access.GetScopeAsync(user, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var operation = await Visible(db, scope).SingleOrDefaultAsync(o => o.Id == id, ct);
        if (operation is null)
        {
            return BulkCancelResult.NotFound;
        }

        if (!CanStart(scope, operation.Kind))
        {
            return BulkCancelResult.Forbidden;
        }

        var actor = AuditLog.ActorOf(user);
        var changed = await db.WriteAsync(token => db.BulkOperations
            .Where(o => o.Id == id && o.State == BulkOperationState.Running && !o.CancelRequested)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.CancelRequested, true).SetProperty(o => o.CancelledBy, actor), token), ct);
        return changed == 1 || operation is { State: BulkOperationState.Running, CancelRequested: true } ? BulkCancelResult.Cancelling : BulkCancelResult.Finished;
    }

    internal async Task<BulkOperationView?> ReadAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var operation = await db.BulkOperations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct);
        if (operation is null)
        {
            return null;
        }

        var rows = await (from t in db.BulkOperationTenants.AsNoTracking()
                          where t.OperationId == id
                          join n in db.Tenants on t.TenantId equals n.Id
                          orderby t.Ordinal
                          select new { Row = t, n.DisplayName }).ToListAsync(ct);
        var tenants = rows.Select(r => new BulkTenantView(r.Row.TenantId, r.DisplayName, r.Row.Wave, r.Row.State, r.Row.Error, r.Row.ApplyId, r.Row.Changes, r.Row.Health,
            r.Row.StartedAt, r.Row.FinishedAt)).ToList();
        var waves = rows.GroupBy(r => r.Row.Wave).OrderBy(g => g.Key).Select(g =>
        {
            var states = g.Select(r => r.Row.State).ToList();
            return new BulkWaveView(g.Key, WaveState(states), states.Count, states.Count(s => s == BulkTenantState.Succeeded),
                states.Count(s => s == BulkTenantState.Failed), states.Count(s => s == BulkTenantState.Skipped));
        }).ToList();
        var entities = rows.Select(r => r.Row).ToList();
        return new BulkOperationView(operation.Id, operation.Kind, operation.State, operation.RequestedBy, operation.CreatedAt, operation.FinishedAt, operation.WaveSize,
            operation.Waves, operation.StoppedAtWave, operation.CancelRequested, operation.CancelledBy, Count(entities), Summarize(operation, entities), waves, tenants);
    }

    /// <summary>"plan", "apply" or "check", as the request and the history word them.</summary>
    public static string Verb(BulkOperationKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>"the canary" or "wave 3".</summary>
    public static string WaveName(int wave) => wave == 0 ? "the canary (wave 0)" : $"wave {wave}";

    /// <summary>What the operation has done so far, in a sentence.</summary>
    internal static string Summarize(BulkOperation operation, IReadOnlyList<BulkOperationTenant> tenants)
    {
        var counts = Count(tenants);
        var done = operation.Kind switch
        {
            BulkOperationKind.Plan => $"{DisplayText.Count(counts.Succeeded, "tenant")} planned, {DisplayText.Count(tenants.Sum(t => t.Changes ?? 0), "change")} to make",
            BulkOperationKind.Check => $"{DisplayText.Count(counts.Succeeded, "tenant")} checked ({string.Join(", ", tenants.Where(t => t.Health is not null).GroupBy(t => t.Health).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key!.ToLowerInvariant()}"))})",
            _ => $"{DisplayText.Count(counts.Succeeded, "tenant")} applied",
        };
        var failed = counts.Failed > 0 ? $", {counts.Failed} failed" : "";
        var skipped = counts.Skipped > 0 ? $", {DisplayText.Count(counts.Skipped, "tenant")} not run" : "";
        return operation.State switch
        {
            BulkOperationState.Succeeded => $"Done in {DisplayText.Count(operation.Waves, "wave")}: {done}.",
            BulkOperationState.Stopped => $"Stopped after {WaveName(operation.StoppedAtWave ?? 0)} had failures: {done}{failed}{skipped}.",
            BulkOperationState.Cancelled => $"Cancelled by {operation.CancelledBy ?? "someone"}: {done}{failed}{skipped}.",
            _ => $"Running {WaveName(tenants.Where(t => t.State != BulkTenantState.Pending).Select(t => t.Wave).DefaultIfEmpty(0).Max())} of {operation.Waves}: {done}{failed}, {counts.Pending} to go.",
        };
    }

    private static BulkCounts Count(IReadOnlyCollection<BulkOperationTenant> tenants) => new(
        tenants.Count,
        tenants.Count(t => t.State == BulkTenantState.Pending),
        tenants.Count(t => t.State == BulkTenantState.Running),
        tenants.Count(t => t.State == BulkTenantState.Succeeded),
        tenants.Count(t => t.State == BulkTenantState.Failed),
        tenants.Count(t => t.State == BulkTenantState.Skipped));

    private static BulkTenantState WaveState(IReadOnlyCollection<BulkTenantState> states) =>
        states.Contains(BulkTenantState.Failed) ? BulkTenantState.Failed
        : states.All(s => s == BulkTenantState.Succeeded) ? BulkTenantState.Succeeded
        : states.All(s => s == BulkTenantState.Skipped) ? BulkTenantState.Skipped
        : states.All(s => s == BulkTenantState.Pending) ? BulkTenantState.Pending
        : BulkTenantState.Running;

    private static IQueryable<BulkOperation> Visible(SplitCcpDbContext db, TenantScope scope)
    {
        if (scope.AllTenants)
        {
            return db.BulkOperations;
        }

        if (scope.UserId is null)
        {
            return db.BulkOperations.Where(_ => false);
        }

        var ids = scope.TenantIds.ToList();
        // An operation whose tenants were all deleted since tells nothing a tenant-scoped caller may know.
        return db.BulkOperations.Where(o => o.Tenants.Any() && o.Tenants.All(t => ids.Contains(t.TenantId)));
    }

    private static BulkOperationKind? ParseKind(string? operation, Dictionary<string, string[]> errors)
    {
        if (EnumNames.TryParse<BulkOperationKind>(operation, out var kind))
        {
            return kind;
        }

        errors[OperationField] = [string.IsNullOrWhiteSpace(operation) ? "Say what to do: \"plan\", \"apply\" or \"check\"." : $"'{operation}' is not an operation: use \"plan\", \"apply\" or \"check\"."];
        return null;
    }
}
