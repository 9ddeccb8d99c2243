using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Aws.Signed;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

/// <summary>
/// Opens tenants' AWS accounts themselves, signed with the credentials their access mode gives (see <see cref="AccountCredentials"/>).
/// An account its settings do not name is asked once through STS, and remembered.
/// </summary>
public sealed partial class RealAwsAccounts(AccountCredentials credentials, TimeProvider time) : IAwsAccountProvider, IDisposable
{
    /// <summary>One pooled HTTP client for every signed call, whatever the tenant: connections are reused, never exhausted.</summary>
    private readonly HttpClient _http = AwsSignedClient.CreateHttpClient();

    /// <summary>One pooled client for fetching the published pages the way agents' browsers do: unsigned, no cookies, no redirects.</summary>
    private readonly HttpClient _pagesHttp = HttpPublishedSite.CreateHttpClient();

    /// <summary>Account IDs learned from STS, for tenants whose settings do not name their account.</summary>
    private readonly ConcurrentDictionary<Guid, string> _accountIds = new();

    public IReadOnlyCollection<AwsAccessMode> Modes { get; } = [AwsAccessMode.AccessKeys, AwsAccessMode.DefaultCredentials, AwsAccessMode.AssumeRole];

    /// <summary>The account in the assumed role's ARN; other modes' credentials do not say whose they are.</summary>
    public string? KnownAccountId(TenantView tenant) =>
        tenant.AccessMode == AwsAccessMode.AssumeRole && tenant.RoleArn is not null && RoleArnAccount().Match(tenant.RoleArn) is { Success: true } m
            ? m.Groups[1].Value
            : null;

    public async Task<IAwsAccount> OpenAsync(TenantView tenant, AwsCallerFactory callers, CancellationToken ct)
    {
        var keys = await credentials.ForTenantAsync(tenant, ct);
        var accountId = KnownAccountId(tenant) ?? _accountIds.GetValueOrDefault(tenant.Id);
        if (accountId is null)
        {
            // The rate limiter keys on the account, so learn it once: the first call is counted under the tenant's ID.
            var probe = new RealAwsAccount(tenant, keys, tenant.Id.ToString(), CallersOf(tenant.Id.ToString()), _http, _pagesHttp, time);
            accountId = _accountIds[tenant.Id] = (await probe.Sts.GetCallerIdentityAsync(ct)).Account;
        }

        return new RealAwsAccount(tenant, credentials.Held(tenant, keys), accountId, CallersOf(accountId), _http, _pagesHttp, time);

        Func<string, IAwsCaller> CallersOf(string account) => region => callers(account, region);
    }

    public void Dispose()
    {
        _http.Dispose();
        _pagesHttp.Dispose();
    }

    [GeneratedRegex(@"^arn:[a-z-]+:iam::([0-9]{12}):")]
    private static partial Regex RoleArnAccount();
}
