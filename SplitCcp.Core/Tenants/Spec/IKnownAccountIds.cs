namespace SplitCcp.Core.Tenants.Spec;

/// <summary>The AWS account ID a tenant's access settings tell without a call to AWS (null when only the account can say), for its starting setup.</summary>
public interface IKnownAccountIds
{
    string? AccountIdOf(TenantView tenant);
}
