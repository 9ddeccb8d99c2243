using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

public enum TenantOperation
{
    Read,
    Write,

    /// <summary>Creating and deleting tenants: the MSP's business, not the tenant's.</summary>
    Manage,
}

public enum TenantAccessResult
{
    Allowed,

    /// <summary>The tenant does not exist or lies outside the caller's scope; the two look the same on purpose.</summary>
    NotFound,

    /// <summary>The caller may see the tenant but not do this to it.</summary>
    Forbidden,
}

/// <summary>
/// Which tenants a caller may see, and what they may do to them. Read fresh from the database by <see cref="ITenantAccess"/>
/// once a request, so a disabled user or a changed assignment takes effect on the next one; only the access check makes one.
/// </summary>
public sealed record TenantScope
{
    internal TenantScope(string? userId, bool allTenants, IReadOnlySet<Guid> tenantIds, bool canWrite, bool canManage)
    {
        UserId = userId;
        AllTenants = allTenants;
        TenantIds = tenantIds;
        CanWrite = canWrite;
        CanManage = canManage;
    }

    public static TenantScope None { get; } = new(null, false, new HashSet<Guid>(), false, false);

    /// <summary>Every tenant and no user: the portal's own view, for what is not done on anyone's behalf (metrics).</summary>
    internal static TenantScope Portal { get; } = new(null, true, new HashSet<Guid>(), false, false);

    public string? UserId { get; }

    public bool AllTenants { get; }

    public IReadOnlySet<Guid> TenantIds { get; }

    public bool CanWrite { get; }

    public bool CanManage { get; }

    public bool Contains(Guid tenantId) => AllTenants || TenantIds.Contains(tenantId);

    public bool Allows(TenantOperation permission) => permission switch
    {
        TenantOperation.Read => true,
        TenantOperation.Write => CanWrite,
        TenantOperation.Manage => CanManage,
        _ => false,
    };
}

/// <summary>The outcome of an access check: the tenant handle when it is <see cref="TenantAccessResult.Allowed"/>, else none.</summary>
public sealed record TenantAccessCheck(TenantAccessResult Result, AuthorizedTenant? Tenant)
{
    public static TenantAccessCheck NotFound { get; } = new(TenantAccessResult.NotFound, null);
}

/// <summary>
/// The one place that decides which tenants a user may see and change. Each request asks once, at its edge (the route guard,
/// a tenant page's load), and hands the <see cref="TenantScope"/> or <see cref="AuthorizedTenant"/> it gets to the services.
/// </summary>
public interface ITenantAccess
{
    Task<TenantScope> GetScopeAsync(ClaimsPrincipal user, CancellationToken ct = default);

    /// <summary>Whether the caller sees the tenant and may do <paramref name="permission"/> to it; when so, the handle the services take.</summary>
    Task<TenantAccessCheck> CheckAsync(ClaimsPrincipal user, Guid tenantId, TenantOperation permission, CancellationToken ct = default);
}

internal sealed class TenantAccess(IDbContextFactory<SplitCcpDbContext> dbFactory, IExistingTenants tenants) : ITenantAccess
{
    public async Task<TenantScope> GetScopeAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (user.Identity?.IsAuthenticated != true || string.IsNullOrEmpty(userId))
        {
            return TenantScope.None;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var account = await db.Users
            .Where(u => u.Id == userId)
            .Select(u => new { u.IsDisabled })
            .SingleOrDefaultAsync(ct);
        if (account is null || account.IsDisabled)
        {
            return TenantScope.None;
        }

        var role = await (from ur in db.UserRoles
                          join r in db.Roles on ur.RoleId equals r.Id
                          where ur.UserId == userId
                          select r.Name).FirstOrDefaultAsync(ct);
        var readOnlyToken = user.HasClaim(SplitCcpClaims.ReadOnly, "true");

        switch (role)
        {
            case Roles.MspOperator:
                return new TenantScope(userId, true, new HashSet<Guid>(), !readOnlyToken, !readOnlyToken);
            case Roles.TenantAdmin:
            case Roles.Viewer:
                var ids = await db.UserTenants.Where(ut => ut.UserId == userId).Select(ut => ut.TenantId).ToListAsync(ct);
                return new TenantScope(userId, false, ids.ToHashSet(), role == Roles.TenantAdmin && !readOnlyToken, false);
            default:
                return TenantScope.None;
        }
    }

    public async Task<TenantAccessCheck> CheckAsync(ClaimsPrincipal user, Guid tenantId, TenantOperation permission, CancellationToken ct = default)
    {
        var scope = await GetScopeAsync(user, ct);
        if (!scope.Contains(tenantId) || !(await tenants.WhichExistAsync([tenantId], ct)).Contains(tenantId))
        {
            return TenantAccessCheck.NotFound;
        }

        return scope.Allows(permission)
            ? new TenantAccessCheck(TenantAccessResult.Allowed, new AuthorizedTenant(tenantId, scope, AuditLog.ActorOf(user), user.Identity?.Name))
            : new TenantAccessCheck(TenantAccessResult.Forbidden, null);
    }
}
