using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Core.Tenants;

/// <summary>
/// Tenants as the caller may see them: lists take the caller's <see cref="TenantScope"/>, one tenant its
/// <see cref="AuthorizedTenant"/>, both from <see cref="ITenantAccess"/> at the request's edge.
/// </summary>
public sealed class TenantService(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    ITenantAccess access,
    SecretProtector secrets,
    AuditLog audit,
    TimeProvider time)
{
    public const int MaxPageSize = 200;

    public async Task<TenantPage> ListAsync(TenantScope scope, string? search, int page, int pageSize, CancellationToken ct = default)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Tenants.AsNoTracking();
        if (!scope.AllTenants)
        {
            var ids = scope.TenantIds.ToList();
            query = query.Where(t => ids.Contains(t.Id));
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = ContainsPattern(search);
            query = query.Where(t =>
                EF.Functions.Like(t.DisplayName.ToLower(), term, "\\") ||
                EF.Functions.Like(t.Slug.ToLower(), term, "\\") ||
                EF.Functions.Like(t.Region.ToLower(), term, "\\"));
        }

        var total = await query.CountAsync(ct);
        var items = await query
            .OrderBy(t => t.DisplayName).ThenBy(t => t.Slug)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(ct);
        return new TenantPage(items.Select(TenantView.From).ToList(), total, page, pageSize);
    }

    /// <summary>The tenant, or null when it was deleted since the access check.</summary>
    public Task<TenantView?> GetAsync(AuthorizedTenant tenant, CancellationToken ct = default) => FindAsync(tenant.TenantId, ct);

    /// <summary>Those of <paramref name="ids"/> that name a tenant in <paramref name="scope"/>, in the order given.</summary>
    public async Task<IReadOnlyList<TenantView>> FindInScopeAsync(TenantScope scope, IReadOnlyCollection<Guid> ids, CancellationToken ct = default)
    {
        var wanted = ids.Where(scope.Contains).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await db.Tenants.AsNoTracking().Where(t => wanted.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        return [.. wanted.Where(found.ContainsKey).Select(id => TenantView.From(found[id]))];
    }

    /// <summary>The tenant with no access check, for background work that acts on behalf of whoever asked for it.</summary>
    internal async Task<TenantView?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        return tenant is null ? null : TenantView.From(tenant);
    }

    public async Task<TenantSaveResult> CreateAsync(ClaimsPrincipal user, TenantInput input, CancellationToken ct = default)
    {
        var scope = await access.GetScopeAsync(user, ct);
        if (!scope.CanManage)
        {
            throw new TenantAccessDeniedException("Only an MSP operator can create tenants.");
        }

        var errors = TenantRules.Validate(input, hasStoredSecret: false);
        if (errors.Count > 0)
        {
            return new TenantSaveResult.Invalid(errors);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await SlugTakenAsync(db, input.Slug!, except: null, ct))
        {
            return SlugConflict(input.Slug!);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var tenant = new Tenant { Id = Guid.CreateVersion7(), CreatedAt = now, Version = 1 };
        Apply(tenant, input, now);
        db.Tenants.Add(tenant);
        db.Audit.Add(audit.Entry(tenant.Id, AuditLog.ActorOf(user), AuditActions.TenantCreated,
            $"Created the tenant \"{tenant.DisplayName}\" ({tenant.Slug}, {tenant.Region}, {tenant.AccessMode})."));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another create took the slug between the check above and this insert.
            db.Entry(tenant).State = EntityState.Detached;
            if (await SlugTakenAsync(db, input.Slug!, tenant.Id, ct))
            {
                return SlugConflict(input.Slug!);
            }

            throw;
        }

        return new TenantSaveResult.Saved(TenantView.From(tenant));
    }

    private static readonly string[] s_accessIsTheMsps = ["Only an MSP operator can change how the portal reaches this tenant's AWS account."];

    public async Task<TenantSaveResult> UpdateAsync(AuthorizedTenant caller, TenantInput input, CancellationToken ct = default)
    {
        if (!caller.CanWrite)
        {
            throw new TenantAccessDeniedException("You can view this tenant but not change it.");
        }

        var id = caller.TenantId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tenant is null)
        {
            return new TenantSaveResult.NotFound();
        }

        var hasStoredSecret = tenant.AccessMode == AwsAccessMode.AccessKeys && !string.IsNullOrEmpty(tenant.ProtectedSecretAccessKey);
        var errors = new Dictionary<string, string[]>(TenantRules.Validate(input, hasStoredSecret));
        if (input.Version is null)
        {
            errors["version"] = ["Send the version you read, so that a concurrent change is not overwritten."];
        }

        if (errors.Count > 0)
        {
            return new TenantSaveResult.Invalid(errors);
        }

        if (input.Version != tenant.Version)
        {
            return Conflict(tenant);
        }

        if (!caller.CanManage && AccessChanges(tenant, input) is { Count: > 0 } locked)
        {
            // Whose identity the portal uses and where it sends signed requests is the MSP's decision: a tenant admin who
            // could pick the server's own credentials, another customer's role, or an internal endpoint would act as the MSP.
            return new TenantSaveResult.Invalid(locked.ToDictionary(field => field, _ => s_accessIsTheMsps));
        }

        if (await SlugTakenAsync(db, input.Slug!, except: id, ct))
        {
            return SlugConflict(input.Slug!);
        }

        // The original value is what the UPDATE's WHERE clause compares, so a save racing this one fails here.
        db.Entry(tenant).Property(t => t.Version).OriginalValue = input.Version.Value;
        tenant.Version = input.Version.Value + 1;
        Apply(tenant, input, time.GetUtcNow().UtcDateTime);
        db.Audit.Add(audit.Entry(tenant.Id, caller.Actor, AuditActions.TenantChanged,
            $"Changed the tenant's settings (version {tenant.Version}: {tenant.DisplayName}, {tenant.Region}, {tenant.AccessMode}{(string.IsNullOrEmpty(input.SecretAccessKey) ? "" : ", new secret access key")})."));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            var current = await ReloadAsync(id, ct);
            return current is null ? new TenantSaveResult.NotFound() : Conflict(current);
        }

        return new TenantSaveResult.Saved(TenantView.From(tenant));
    }

    /// <summary>Deletes a tenant; false when it was deleted since the access check.</summary>
    public async Task<bool> DeleteAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        if (!caller.CanManage)
        {
            throw new TenantAccessDeniedException("Only an MSP operator can delete tenants.");
        }

        var id = caller.TenantId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WriteAsync(token => db.Tenants.Where(t => t.Id == id).ExecuteDeleteAsync(token), ct) > 0;
    }

    /// <summary>The tenant's AWS secret in clear, for the code that signs AWS requests; never for display.</summary>
    internal async Task<string?> GetSecretAccessKeyAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var protectedSecret = await db.Tenants.Where(t => t.Id == id).Select(t => t.ProtectedSecretAccessKey).SingleOrDefaultAsync(ct);
        return protectedSecret is null ? null : secrets.Unprotect(protectedSecret);
    }

    private void Apply(Tenant tenant, TenantInput input, DateTime now)
    {
        var mode = TenantRules.TryParseAccessMode(input.AccessMode, out var parsed) ? parsed
            : throw new ArgumentException("Validate the input before applying it.", nameof(input));
        tenant.DisplayName = input.DisplayName!.Trim();
        tenant.Slug = input.Slug!;
        tenant.Region = input.Region!;
        tenant.AccessMode = mode;
        tenant.EndpointUrl = Blank(input.EndpointUrl);
        tenant.RoleArn = mode == AwsAccessMode.AssumeRole ? input.RoleArn : null;
        tenant.ExternalId = mode == AwsAccessMode.AssumeRole ? input.ExternalId : null;
        tenant.AccessKeyId = mode == AwsAccessMode.AccessKeys ? input.AccessKeyId : null;
        if (mode != AwsAccessMode.AccessKeys)
        {
            tenant.ProtectedSecretAccessKey = null;
        }
        else if (!string.IsNullOrEmpty(input.SecretAccessKey))
        {
            tenant.ProtectedSecretAccessKey = secrets.Protect(input.SecretAccessKey);
        }

        tenant.UpdatedAt = now;
    }

    private async Task<Tenant?> ReloadAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
    }

    private static Task<bool> SlugTakenAsync(SplitCcpDbContext db, string slug, Guid? except, CancellationToken ct) =>
        db.Tenants.AnyAsync(t => t.Slug == slug && t.Id != except, ct);

    private static TenantSaveResult.Invalid SlugConflict(string slug) =>
        new(new Dictionary<string, string[]> { ["slug"] = [$"The slug '{slug}' is already used by another tenant."] });

    private static TenantSaveResult.Conflict Conflict(Tenant current) =>
        new($"Someone else saved this tenant (now at version {current.Version}, changed {current.UpdatedAt:u}). Reload it, then make your change again.");

    /// <summary>The fields of how the portal reaches AWS that <paramref name="input"/> would change; the access keys themselves may be rotated.</summary>
    private static List<string> AccessChanges(Tenant tenant, TenantInput input)
    {
        var changed = new List<string>();
        if (!TenantRules.TryParseAccessMode(input.AccessMode, out var mode) || mode != tenant.AccessMode)
        {
            changed.Add("accessMode");
        }

        if (Blank(input.EndpointUrl) != tenant.EndpointUrl)
        {
            changed.Add("endpointUrl");
        }

        if (mode == AwsAccessMode.AssumeRole && input.RoleArn != tenant.RoleArn)
        {
            changed.Add("roleArn");
        }

        if (mode == AwsAccessMode.AssumeRole && input.ExternalId != tenant.ExternalId)
        {
            changed.Add("externalId");
        }

        return changed;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>
    /// A LIKE pattern (escaped with a backslash) that finds <paramref name="search"/> anywhere in a lower-cased column, so
    /// a search ignores case on every engine: SQLite's LIKE ignores it, PostgreSQL's does not.
    /// </summary>
    internal static string ContainsPattern(string search) => $"%{EscapeLike(search.Trim().ToLowerInvariant())}%";

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}

/// <summary>The caller may see the tenant but not perform this change.</summary>
public sealed class TenantAccessDeniedException(string message) : Exception(message);
