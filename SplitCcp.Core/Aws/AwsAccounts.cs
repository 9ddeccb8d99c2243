using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

/// <summary>
/// Opens a tenant's account by its access mode: the Sandbox, or AWS itself through the gateways. Either way every call goes
/// through the same rate limiter (per account, region and service) and the same retries.
/// </summary>
public sealed class AwsAccounts(
    SandboxAccounts sandbox,
    AwsRateLimiter limiter,
    IOptions<AwsRateLimitOptions> limits,
    AwsRetry retry) : IAwsAccountFactory
{
    public Task<IAwsAccount> OpenAsync(TenantView tenant, CancellationToken ct)
    {
        if (tenant.AccessMode == AwsAccessMode.Sandbox)
        {
            var caller = new AwsCaller(SandboxAccount.AccountIdFor(tenant.Id), tenant.Region, limiter, limits.Value, retry);
            return Task.FromResult(sandbox.Open(tenant, caller));
        }

        throw new InvalidOperationException("Real AWS accounts are not wired yet.");
    }
}
