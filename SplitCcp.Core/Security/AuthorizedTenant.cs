namespace SplitCcp.Core.Security;

/// <summary>
/// A tenant the caller may see, as <see cref="ITenantAccess"/> found it for this request, with what the caller may do to it.
/// Only the access check makes one: a service given one does not check again, and asks it (in memory) when it needs more
/// than reading.
/// </summary>
public sealed class AuthorizedTenant
{
    private readonly TenantScope _scope;

    internal AuthorizedTenant(Guid tenantId, TenantScope scope, string actor, string? userName)
    {
        TenantId = tenantId;
        _scope = scope;
        Actor = actor;
        UserName = userName;
    }

    public Guid TenantId { get; }

    /// <summary>Who acts, as the audit names them: <see cref="AuditLog.ActorOf"/> of the caller.</summary>
    public string Actor { get; }

    /// <summary>The caller's sign-in name, as a saved spec records who saved it.</summary>
    public string? UserName { get; }

    public bool CanWrite => Allows(TenantOperation.Write);

    public bool CanManage => Allows(TenantOperation.Manage);

    public bool Allows(TenantOperation operation) => _scope.Allows(operation);
}
