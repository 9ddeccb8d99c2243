using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Core.Tenants.Spec;

/// <summary>A tenant's spec as stored, or its generated defaults when nothing is stored yet (<see cref="Exists"/> false, version 0).</summary>
public sealed record TenantSpecRecord(Guid TenantId, TenantSpec Spec, bool Exists, bool IsDraft, int WizardStep, int Version, DateTime? UpdatedAt, string? UpdatedBy)
{
    public SetupValues Values(string region) => SetupValues.For(region, Spec);
}

public abstract record SpecSaveResult
{
    private SpecSaveResult()
    {
    }

    public sealed record Saved(TenantSpecRecord Record) : SpecSaveResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : SpecSaveResult;

    public sealed record Conflict(string Message) : SpecSaveResult;

    public sealed record NotFound : SpecSaveResult;
}

/// <summary>Reads and writes tenants' specs, for a tenant the caller was authorized for (<see cref="AuthorizedTenant"/>).</summary>
public sealed class TenantSpecService(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    TenantService tenants,
    AuditLog audit,
    IKnownAccountIds accountIds,
    TimeProvider time)
{
    /// <summary>The tenant and its spec, or null when the tenant was deleted since the access check.</summary>
    public Task<(TenantView Tenant, TenantSpecRecord Record)?> GetAsync(AuthorizedTenant tenant, CancellationToken ct = default) => LoadAsync(tenant.TenantId, ct);

    /// <summary>
    /// Records in a complete spec what AWS assigned during an apply (a created instance's ID, a distribution's domain), so the
    /// setup files that need them can be generated. Skipped when the spec changed meanwhile: the operator's edit wins.
    /// </summary>
    /// <param name="alongside">Further changes saved in the same transaction, such as the apply that learned the values taking the new version.</param>
    internal async Task<bool> RecordLearnedAsync(
        Guid tenantId, int expectedVersion, string actor, string summary, Action<TenantSpec> learn, CancellationToken ct, Func<SplitCcpDbContext, Task>? alongside = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.TenantSpecs.SingleOrDefaultAsync(s => s.TenantId == tenantId, ct);
        if (stored is null || stored.IsDraft || stored.Version != expectedVersion || TenantSpecJson.Parse(stored.Json).Spec is not { } spec)
        {
            return false;
        }

        learn(spec);
        db.Entry(stored).Property(s => s.Version).OriginalValue = expectedVersion;
        stored.Json = TenantSpecJson.Serialize(spec);
        stored.Version = expectedVersion + 1;
        stored.UpdatedAt = time.GetUtcNow().UtcDateTime;
        stored.UpdatedBy = actor;
        db.Audit.Add(audit.Entry(tenantId, actor, AuditActions.SpecLearned, summary));
        if (alongside is not null)
        {
            await alongside(db);
        }

        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (StorageFault.From(ex) is null)
        {
            return false;
        }
    }

    /// <summary>The tenant alone, for a caller whose setup could not be read.</summary>
    internal Task<TenantView?> FindTenantAsync(Guid tenantId, CancellationToken ct) => tenants.FindAsync(tenantId, ct);

    /// <summary>The tenant and its spec with no access check, for background work such as an apply.</summary>
    internal async Task<(TenantView Tenant, TenantSpecRecord Record)?> LoadAsync(Guid tenantId, CancellationToken ct) =>
        await tenants.FindAsync(tenantId, ct) is { } tenant ? await LoadAsync(tenant, ct) : null;

    private async Task<(TenantView Tenant, TenantSpecRecord Record)> LoadAsync(TenantView tenant, CancellationToken ct)
    {
        var tenantId = tenant.Id;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.TenantSpecs.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, ct);
        if (stored is null)
        {
            return (tenant, new TenantSpecRecord(tenantId, TenantSpecDefaults.For(tenant, accountIds.AccountIdOf(tenant)), false, true, 0, 0, null, null));
        }

        var (spec, errors) = TenantSpecJson.Parse(stored.Json);
        if (spec is null)
        {
            throw new InvalidOperationException($"The stored spec of tenant {tenantId} cannot be read: {string.Join(" ", errors.SelectMany(e => e.Value))}");
        }

        return (tenant, ToRecord(stored, spec));
    }

    /// <summary>
    /// Saves the wizard's progress: only the sections before <paramref name="wizardStep"/> must be valid. A complete setup
    /// stays complete: going through its steps again saves each one into it, so every section must stay valid, and moving
    /// between steps never turns it back into a draft that cannot be applied.
    /// </summary>
    public Task<SpecSaveResult> SaveDraftAsync(AuthorizedTenant caller, TenantSpec spec, int wizardStep, int expectedVersion, CancellationToken ct = default) =>
        SaveAsync(caller, spec, Math.Clamp(wizardStep, 0, SectionCount), expectedVersion, ct);

    /// <summary>Saves a complete spec: every section must be valid. A null <paramref name="expectedVersion"/> skips the concurrency check.</summary>
    public Task<SpecSaveResult> SaveCompleteAsync(AuthorizedTenant caller, TenantSpec spec, int? expectedVersion, CancellationToken ct = default) =>
        SaveAsync(caller, spec, wizardStep: null, expectedVersion, ct);

    private static int SectionCount => Enum.GetValues<SpecSection>().Length;

    /// <param name="wizardStep">The step a draft reaches; null for a complete spec.</param>
    private async Task<SpecSaveResult> SaveAsync(AuthorizedTenant caller, TenantSpec spec, int? wizardStep, int? expectedVersion, CancellationToken ct)
    {
        if (!caller.CanWrite)
        {
            throw new TenantAccessDeniedException("You can view this tenant's setup but not change it.");
        }

        var tenantId = caller.TenantId;
        if (spec.SchemaVersion != TenantSpec.CurrentSchemaVersion)
        {
            return new SpecSaveResult.Invalid(new Dictionary<string, string[]> { ["schemaVersion"] = [$"This portal writes spec schema version {TenantSpec.CurrentSchemaVersion}."] });
        }

        if (await tenants.FindAsync(tenantId, ct) is not { } tenant)
        {
            return new SpecSaveResult.NotFound();
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.TenantSpecs.SingleOrDefaultAsync(s => s.TenantId == tenantId, ct);
        var isDraft = wizardStep is not null && stored is not { IsDraft: false };
        var step = isDraft ? wizardStep!.Value : SectionCount;
        var errors = isDraft
            ? step == 0 ? new Dictionary<string, string[]>() : TenantSpecRules.Validate(spec, SpecTarget.Of(tenant), Enum.GetValues<SpecSection>().Take(step).ToArray())
            : TenantSpecRules.Validate(spec, SpecTarget.Of(tenant));
        if (errors.Count > 0)
        {
            return new SpecSaveResult.Invalid(errors);
        }

        var currentVersion = stored?.Version ?? 0;
        if (expectedVersion is { } expected && expected != currentVersion)
        {
            return Conflict(stored);
        }

        var json = TenantSpecJson.Serialize(spec);
        if (stored is not null && stored.IsDraft == isDraft && stored.WizardStep == step && stored.SchemaVersion == TenantSpec.CurrentSchemaVersion && stored.Json == json)
        {
            // Nothing changed: a step saved again, or a setup walked through, leaves no version and no audit entry behind.
            return new SpecSaveResult.Saved(ToRecord(stored, spec));
        }

        if (stored is null)
        {
            stored = new TenantSpecDocument { TenantId = tenantId };
            db.TenantSpecs.Add(stored);
        }
        else
        {
            db.Entry(stored).Property(s => s.Version).OriginalValue = currentVersion;
        }

        stored.SchemaVersion = TenantSpec.CurrentSchemaVersion;
        stored.Json = json;
        stored.IsDraft = isDraft;
        stored.WizardStep = step;
        stored.Version = currentVersion + 1;
        stored.UpdatedAt = time.GetUtcNow().UtcDateTime;
        stored.UpdatedBy = caller.UserName;
        db.Audit.Add(audit.Entry(tenantId, caller.Actor,
            isDraft ? AuditActions.DraftSaved : AuditActions.SpecSaved,
            isDraft ? $"Saved the setup as a draft at step {step + 1} (version {stored.Version})." : $"Saved the complete setup (version {stored.Version})."));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (StorageFault.From(ex) is null)
        {
            // Another save won the race (a concurrent insert trips the key, a concurrent update the version).
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            return Conflict(await fresh.TenantSpecs.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, ct));
        }

        return new SpecSaveResult.Saved(ToRecord(stored, spec));
    }

    private static SpecSaveResult.Conflict Conflict(TenantSpecDocument? current) =>
        new(current is null
            ? "The setup was removed while you were editing it. Reload to start again."
            : $"Someone else saved this tenant's setup (version {current.Version}, {current.UpdatedAt:u}{(current.UpdatedBy is null ? "" : $" by {current.UpdatedBy}")}). Reload it, then make your change again.");

    private static TenantSpecRecord ToRecord(TenantSpecDocument stored, TenantSpec spec) =>
        new(stored.TenantId, spec, true, stored.IsDraft, stored.WizardStep, stored.Version, stored.UpdatedAt, stored.UpdatedBy);
}
