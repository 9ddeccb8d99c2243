using Amazon.Runtime;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Aws.Signed;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

/// <summary>
/// A tenant's real AWS account: one gateway per service, all signed with the tenant's credentials, rate-limited
/// and retried by the account's <see cref="IAwsCaller"/> for the region called, and sent to the tenant's endpoint override
/// when it has one. The published pages are fetched anonymously with their own client (see <see cref="HttpPublishedSite.CreateHttpClient"/>).
/// </summary>
public sealed class RealAwsAccount : IAwsAccount
{
    private readonly AWSCredentials _credentials;
    private readonly Func<string, IAwsCaller> _callerIn;
    private readonly HttpClient _http;
    private readonly Uri? _endpoint;
    private readonly TimeProvider? _time;

    /// <summary>One gateway per Identity Center region for the account's life: a plan asks for it at every Identity Center call.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IIdentityCenterGateway> _identityCenter = new(StringComparer.Ordinal);

    /// <param name="callerIn">The account's caller for a region: rate limits are per account, region and service.</param>
    public RealAwsAccount(
        TenantView tenant, AWSCredentials credentials, string accountId, Func<string, IAwsCaller> callerIn, HttpClient http, HttpClient pagesHttp, TimeProvider? time = null)
    {
        AccountId = accountId;
        Region = tenant.Region;
        _credentials = credentials;
        _callerIn = callerIn;
        _http = http;
        _endpoint = string.IsNullOrWhiteSpace(tenant.EndpointUrl) ? null : new Uri(tenant.EndpointUrl);
        _time = time;
        var client = new AwsSignedClient(http, credentials, tenant.Region, _endpoint, time);
        var caller = callerIn(tenant.Region);
        Connect = new ConnectGateway(client, caller);
        Iam = new IamGateway(client, caller);
        CloudFront = new CloudFrontGateway(client, caller);
        AppStream = new AppStreamGateway(client, caller);
        S3 = new S3Gateway(credentials, tenant.Region, tenant.EndpointUrl, caller);
        Sts = new StsGateway(credentials, tenant.Region, tenant.EndpointUrl, caller);
        PublishedSite = new HttpPublishedSite(pagesHttp, tenant.Region, _endpoint, time);
    }

    public string AccountId { get; }

    public string Region { get; }

    public IConnectGateway Connect { get; }

    public IIamGateway Iam { get; }

    public IS3Gateway S3 { get; }

    public ICloudFrontGateway CloudFront { get; }

    public IAppStreamGateway AppStream { get; }

    public IStsGateway Sts { get; }

    public IPublishedSite PublishedSite { get; }

    public IIdentityCenterGateway IdentityCenterIn(string region) =>
        _identityCenter.GetOrAdd(region, r => new IdentityCenterGateway(new AwsSignedClient(_http, _credentials, r, _endpoint, _time), _callerIn(r)));
}
