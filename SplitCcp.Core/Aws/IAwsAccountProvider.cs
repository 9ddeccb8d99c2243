using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

/// <summary>The caller for one account and region: rate limits are per account, region and service, and every call is retried the same way.</summary>
public delegate IAwsCaller AwsCallerFactory(string accountId, string region);

/// <summary>
/// Opens the AWS accounts of tenants with the access modes it serves. <see cref="AwsAccounts"/> picks the provider registered
/// for a tenant's <see cref="TenantView.AccessMode"/>; no two providers serve the same mode.
/// </summary>
public interface IAwsAccountProvider
{
    IReadOnlyCollection<AwsAccessMode> Modes { get; }

    /// <summary>The account ID the tenant's settings tell without a call to AWS, or null when only the account itself can say.</summary>
    string? KnownAccountId(TenantView tenant);

    /// <summary>The tenant's account, every call of which goes through the caller <paramref name="callers"/> gives for its account and region.</summary>
    Task<IAwsAccount> OpenAsync(TenantView tenant, AwsCallerFactory callers, CancellationToken ct);
}
