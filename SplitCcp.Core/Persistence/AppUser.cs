using Microsoft.AspNetCore.Identity;

namespace SplitCcp.Core.Persistence;

public sealed class AppUser : IdentityUser
{
    public string? DisplayName { get; set; }

    public bool IsDisabled { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<UserTenant> Tenants { get; set; } = [];
}

/// <summary>Assigns a TenantAdmin or Viewer to a tenant. MspOperators need none: they see every tenant.</summary>
public sealed class UserTenant
{
    public string UserId { get; set; } = "";

    public Guid TenantId { get; set; }
}
