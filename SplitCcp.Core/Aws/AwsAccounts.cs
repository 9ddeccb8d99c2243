using Microsoft.Extensions.Options;
using System.Collections.Concurrent;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Aws.Signed;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Aws;

/// <summary>
/// Opens a tenant's account by its access mode: the Sandbox, or AWS itself through the gateways. Either way every call goes
/// through the same rate limiter (per account, region and service) and the same retries.
/// </summary>
public sealed class AwsAccounts(
    SandboxAccounts sandbox,
    AccountCredentials credentials,
    AwsRateLimiter limiter,
    IOptions<AwsRateLimitOptions> limits,
    AwsRetry retry,
    AwsCallMetrics metrics,
    TimeProvider time) : IAwsAccountFactory, IDisposable
{
    /// <summary>One pooled HTTP client for every signed call, whatever the tenant: connections are reused, never exhausted.</summary>
    private readonly HttpClient _http = AwsSignedClient.CreateHttpClient();

    /// <summary>One pooled client for fetching the published pages the way agents' browsers do: unsigned, no cookies, no redirects.</summary>
    private readonly HttpClient _pagesHttp = HttpPublishedSite.CreateHttpClient();

    /// <summary>Account IDs learned from STS, for tenants whose settings do not name their account.</summary>
    private readonly ConcurrentDictionary<Guid, string> _accountIds = new();

    public async Task<IAwsAccount> OpenAsync(TenantView tenant, CancellationToken ct)
    {
        if (tenant.AccessMode == AwsAccessMode.Sandbox)
        {
            return sandbox.Open(tenant, CallersOf(SandboxAccount.AccountIdFor(tenant.Id)));
        }

        var keys = await credentials.ForTenantAsync(tenant, ct);
        var accountId = TenantSpecDefaults.AccountIdHint(tenant) ?? _accountIds.GetValueOrDefault(tenant.Id);
        if (accountId is null)
        {
            // The rate limiter keys on the account, so learn it once: the first call is counted under the tenant's ID.
            var probe = new RealAwsAccount(tenant, keys, tenant.Id.ToString(), CallersOf(tenant.Id.ToString()), _http, _pagesHttp, time);
            accountId = _accountIds[tenant.Id] = (await probe.Sts.GetCallerIdentityAsync(ct)).Account;
        }

        return new RealAwsAccount(tenant, keys, accountId, CallersOf(accountId), _http, _pagesHttp, time);
    }

    public void Dispose()
    {
        _http.Dispose();
        _pagesHttp.Dispose();
    }

    /// <summary>The account's caller for each region it calls: Identity Center's calls count against its own region's limits.</summary>
    private Func<string, IAwsCaller> CallersOf(string accountId) => region => new AwsCaller(accountId, region, limiter, limits.Value, retry, metrics);
}
