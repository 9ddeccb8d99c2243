using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// A Sandbox tenant's simulated AWS account: every gateway, with AWS's behaviour, over the tenant's persisted
/// <see cref="SandboxObject"/>s. Each call goes through the tenant's <see cref="IAwsCaller"/> for the region called (rate
/// limits, retries), and each attempt may first meet an injected fault.
/// </summary>
public sealed class SandboxAwsAccount : IAwsAccount
{
    private readonly Func<string, IAwsCaller> _callerIn;
    private readonly SandboxStore _store;
    private readonly SandboxFaults? _faults;
    private readonly IOptionsMonitor<SandboxOptions> _options;

    /// <param name="faults">Null for the console's own look at the account, which meets no injected faults.</param>
    internal SandboxAwsAccount(TenantView tenant, Func<string, IAwsCaller> callerIn, SandboxStore store, SandboxFaults? faults, SandboxRandom random, IOptionsMonitor<SandboxOptions> options)
    {
        Tenant = tenant;
        AccountId = SandboxAccount.AccountIdFor(tenant.Id);
        Random = random;
        _callerIn = callerIn;
        _store = store;
        _faults = faults;
        _options = options;
        Connect = new SandboxConnectGateway(this);
        Iam = new SandboxIamGateway(this);
        S3 = new SandboxS3Gateway(this);
        CloudFront = new SandboxCloudFrontGateway(this);
        AppStream = new SandboxAppStreamGateway(this);
        Sts = new SandboxStsGateway(this);
        PublishedSite = new SandboxPublishedSite(this);
    }

    public string AccountId { get; }

    public string Region => Tenant.Region;

    public IConnectGateway Connect { get; }

    public IIamGateway Iam { get; }

    /// <summary>One gateway per Identity Center region for the account's life: a plan asks for it at every Identity Center call.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IIdentityCenterGateway> _identityCenter = new(StringComparer.Ordinal);

    public IIdentityCenterGateway IdentityCenterIn(string region) => _identityCenter.GetOrAdd(region, r => new SandboxIdentityCenterGateway(this, r));

    public IS3Gateway S3 { get; }

    public ICloudFrontGateway CloudFront { get; }

    public IAppStreamGateway AppStream { get; }

    public IStsGateway Sts { get; }

    public IPublishedSite PublishedSite { get; }

    internal TenantView Tenant { get; }

    internal SandboxRandom Random { get; }

    internal SandboxOptions Options => _options.CurrentValue;

    /// <summary>One AWS call to a region: that region's caller's rate limit and retries around (fault, then act on the tenant's objects).</summary>
    internal Task<T> CallAsync<T>(string region, AwsOperation operation, string? resource, Func<SandboxSession, Task<T>> act, CancellationToken ct) =>
        _callerIn(region).CallAsync(operation, resource, async token =>
        {
            if (_faults is not null)
            {
                await _faults.BeforeAttemptAsync(AccountId, region, operation, resource, token);
            }

            return await _store.RunAsync(Tenant.Id, operation, resource, act, token);
        }, ct);

    /// <summary>A look at the tenant's objects that is not an AWS API call: no rate limit, no retries, no injected faults.</summary>
    internal Task<T> ReadAsync<T>(Func<SandboxSession, Task<T>> read, CancellationToken ct) => _store.RunAsync(Tenant.Id, null, null, read, ct);
}

/// <summary>
/// What every simulated gateway shares: calls to its region (the tenant's unless it is given another) that go through
/// <see cref="SandboxAwsAccount.CallAsync{T}"/>.
/// </summary>
internal abstract class SandboxGateway(SandboxAwsAccount account, string? region = null)
{
    protected SandboxAwsAccount Account => account;

    protected string AccountId => account.AccountId;

    protected string Region => region ?? account.Region;

    protected Task<T> CallAsync<T>(AwsOperation operation, string? resource, Func<SandboxSession, Task<T>> act, CancellationToken ct) =>
        account.CallAsync(Region, operation, resource, act, ct);

    protected Task CallAsync(AwsOperation operation, string? resource, Func<SandboxSession, Task> act, CancellationToken ct) =>
        account.CallAsync(Region, operation, resource, async session =>
        {
            await act(session);
            return true;
        }, ct);
}

/// <summary>
/// The account provider for <see cref="AwsAccessMode.Sandbox"/> tenants: each has a simulated account of its own, whose ID is
/// derived from the tenant. The portal's account factory gives it the tenant's rate-limited, retrying caller for each region.
/// </summary>
public sealed class SandboxAccounts(SandboxStore store, SandboxFaults faults, SandboxRandom random, IOptionsMonitor<SandboxOptions> options) : IAwsAccountProvider
{
    public IReadOnlyCollection<AwsAccessMode> Modes { get; } = [AwsAccessMode.Sandbox];

    public string? KnownAccountId(TenantView tenant) => SandboxAccount.AccountIdFor(tenant.Id);

    public Task<IAwsAccount> OpenAsync(TenantView tenant, AwsCallerFactory callers, CancellationToken ct)
    {
        var accountId = SandboxAccount.AccountIdFor(tenant.Id);
        return Task.FromResult(Open(tenant, region => callers(accountId, region)));
    }

    public IAwsAccount Open(TenantView tenant, Func<string, IAwsCaller> callerIn) => new SandboxAwsAccount(tenant, callerIn, store, faults, random, options);

    /// <summary>
    /// The account as its console reads it: the same gateways, without rate limits, retries or injected faults, since the
    /// operator's look is none of the portal's API calls.
    /// </summary>
    internal IAwsAccount OpenForConsole(TenantView tenant) => new SandboxAwsAccount(tenant, _ => ConsoleCaller.Instance, store, null, random, options);

    private sealed class ConsoleCaller : IAwsCaller
    {
        public static readonly ConsoleCaller Instance = new();

        public Task<T> CallAsync<T>(AwsOperation operation, string? resource, Func<CancellationToken, Task<T>> operationCall, CancellationToken ct) => operationCall(ct);
    }
}
