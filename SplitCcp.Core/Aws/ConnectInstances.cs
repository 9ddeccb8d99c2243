using System.Security.Claims;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

/// <summary>An Amazon Connect instance as ListInstances describes it.</summary>
public sealed record ConnectInstanceSummary(string Id, string Arn, string Alias, string Status, string IdentityManagementType)
{
    public bool UsesSaml => IdentityManagementType == "SAML";
}

public abstract record ConnectInstanceListing
{
    private ConnectInstanceListing()
    {
    }

    public sealed record Listed(IReadOnlyList<ConnectInstanceSummary> Instances) : ConnectInstanceListing;

    /// <summary>The instances cannot be listed for this tenant; <see cref="Reason"/> says what the operator can do instead.</summary>
    public sealed record Unavailable(string Reason) : ConnectInstanceListing;
}

/// <summary>Lists a tenant's Connect instances for the wizard's picker.</summary>
public sealed class ConnectInstances(TenantService tenants)
{
    public async Task<ConnectInstanceListing?> ListAsync(ClaimsPrincipal user, Guid tenantId, CancellationToken ct = default)
    {
        var tenant = await tenants.GetAsync(user, tenantId, ct);
        if (tenant is null)
        {
            return null;
        }

        return tenant.AccessMode == AwsAccessMode.Sandbox
            ? new ConnectInstanceListing.Listed(SandboxConnect.Instances(tenant))
            : new ConnectInstanceListing.Unavailable("Listing this account's instances is not available yet: enter the instance ID and alias from the Amazon Connect console.");
    }
}
