using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Aws;

/// <summary>
/// Opens a tenant's account through the <see cref="IAwsAccountProvider"/> registered for its access mode. Whichever it is,
/// every call goes through the same rate limiter (per account, region and service) and the same retries.
/// </summary>
public sealed class AwsAccounts(
    IEnumerable<IAwsAccountProvider> providers,
    AwsRateLimiter limiter,
    IOptions<AwsRateLimitOptions> limits,
    AwsRetry retry,
    AwsCallMetrics metrics) : IAwsAccountFactory, IKnownAccountIds
{
    private readonly Dictionary<AwsAccessMode, IAwsAccountProvider> _providers = providers
        .SelectMany(p => p.Modes.Select(mode => (Mode: mode, Provider: p)))
        .ToDictionary(p => p.Mode, p => p.Provider);

    public Task<IAwsAccount> OpenAsync(TenantView tenant, CancellationToken ct) => ProviderFor(tenant).OpenAsync(tenant, CallerFor, ct);

    public string? AccountIdOf(TenantView tenant) => _providers.GetValueOrDefault(tenant.AccessMode)?.KnownAccountId(tenant);

    private IAwsAccountProvider ProviderFor(TenantView tenant) =>
        _providers.GetValueOrDefault(tenant.AccessMode) ?? throw new AwsCallException(new AwsFailure(AwsFailureKind.InvalidInput, "sts", "credentials", tenant.DisplayName,
            $"This portal cannot open accounts of tenants with access mode {tenant.AccessMode}. Choose another access mode for tenant {tenant.DisplayName}."));

    private IAwsCaller CallerFor(string accountId, string region) => new AwsCaller(accountId, region, limiter, limits.Value, retry, metrics);
}
