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

/// <summary>Which tenants a caller may see, and what they may do to them. Read fresh from the database each time, so a disabled user or a changed assignment takes effect at once.</summary>
public sealed record TenantScope(string? UserId, bool AllTenants, IReadOnlySet<Guid> TenantIds, bool CanWrite, bool CanManage)
{
    public static TenantScope None { get; } = new(null, false, new HashSet<Guid>(), false, false);

    public bool Contains(Guid tenantId) => AllTenants || TenantIds.Contains(tenantId);

    public bool Allows(TenantOperation permission) => permission switch
    {
        TenantOperation.Read => true,
        TenantOperation.Write => CanWrite,
        TenantOperation.Manage => CanManage,
        _ => false,
    };
}

/// <summary>The one place that decides which tenants a user may see and change. Every page and endpoint goes through it.</summary>
public interface ITenantAccess
{
    Task<TenantScope> GetScopeAsync(ClaimsPrincipal user, CancellationToken ct = default);

    Task<TenantAccessResult> CheckAsync(ClaimsPrincipal user, Guid tenantId, TenantOperation permission, CancellationToken ct = default);
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

    public async Task<TenantAccessResult> CheckAsync(ClaimsPrincipal user, Guid tenantId, TenantOperation permission, CancellationToken ct = default)
    {
        var scope = await GetScopeAsync(user, ct);
        if (!scope.Contains(tenantId))
        {
            return TenantAccessResult.NotFound;
        }

        if (!(await tenants.WhichExistAsync([tenantId], ct)).Contains(tenantId))
        {
            return TenantAccessResult.NotFound;
        }

        return scope.Allows(permission) ? TenantAccessResult.Allowed : TenantAccessResult.Forbidden;
    }
}
