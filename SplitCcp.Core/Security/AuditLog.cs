using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>The names of audited actions, as the API reports them.</summary>
public static class AuditActions
{
    public const string TenantCreated = "tenant.created";
    public const string TenantChanged = "tenant.changed";
    public const string SpecSaved = "spec.saved";
    public const string SpecLearned = "spec.learned";
    public const string DraftSaved = "spec.draft-saved";
    public const string Planned = "plan";
    public const string ApplyRequested = "apply.requested";
    public const string ApplyResumed = "apply.resumed";
    public const string ApplyRetrying = "apply.retrying";
    public const string ApplyFinished = "apply.finished";
    public const string StepSucceeded = "apply.step-succeeded";
    public const string StepFailed = "apply.step-failed";
    public const string SandboxChanged = "sandbox.console-change";
    public const string DriftRemediation = "drift.auto-remediation";
    public const string DriftSettingsChanged = "drift.settings-changed";
    public const string GoLiveResult = "golive.result";
    public const string WentLive = "golive.live";
    public const string LiveEnded = "golive.ended";
    public const string TestSession = "golive.test-session";
    public const string AgentsChecked = "golive.agents-checked";
    public const string BulkRequested = "bulk.requested";
    public const string BulkSkipped = "bulk.skipped";
}

/// <summary>An audit entry as the API and the tenant page show it.</summary>
public sealed record AuditRecord(long Id, DateTime At, string Actor, string Action, string Summary, Guid? ApplyId);

/// <summary>Records what happened to each tenant, by whom and when, and reads it back for a tenant the caller was authorized for.</summary>
public sealed class AuditLog(IDbContextFactory<SplitCcpDbContext> dbFactory, TimeProvider time)
{
    public const int MaxPageSize = 200;

    /// <summary>Who a principal is in the audit: their e-mail, marked when they acted through an API token.</summary>
    public static string ActorOf(ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";
        return user.HasClaim(c => c.Type == SplitCcpClaims.TokenId) ? $"{name} (API token)" : name;
    }

    /// <summary>A new entry, to add to a context that saves it together with the change it records.</summary>
    public AuditEntry Entry(Guid tenantId, string actor, string action, string summary, Guid? applyId = null) => new()
    {
        TenantId = tenantId,
        At = time.GetUtcNow().UtcDateTime,
        Actor = actor,
        Action = action,
        Summary = summary,
        ApplyId = applyId,
    };

    public async Task RecordAsync(Guid tenantId, string actor, string action, string summary, Guid? applyId = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Audit.Add(Entry(tenantId, actor, action, summary, applyId));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The tenant's history, newest first, before entry <paramref name="before"/> when paging.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAsync(AuthorizedTenant tenant, long? before, int take, CancellationToken ct = default)
    {
        var tenantId = tenant.TenantId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Audit.AsNoTracking().Where(a => a.TenantId == tenantId);
        if (before is { } id)
        {
            query = query.Where(a => a.Id < id);
        }

        return await query.OrderByDescending(a => a.Id).Take(Math.Clamp(take, 1, MaxPageSize))
            .Select(a => new AuditRecord(a.Id, a.At, a.Actor, a.Action, a.Summary, a.ApplyId))
            .ToListAsync(ct);
    }

    /// <summary>The tenant's whole history, newest first, read in batches as it is written out.</summary>
    public IAsyncEnumerable<AuditRecord> ExportAsync(AuthorizedTenant tenant, CancellationToken ct = default) =>
        Batches.ReadAsync((before, token) => ListAsync(tenant, before, MaxPageSize, token), a => a.Id, MaxPageSize, ct);
}
