using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws.Gateways;

/// <summary>One tenant's AWS account, one gateway per service, as the provider for the tenant's access mode opens it.</summary>
public interface IAwsAccount
{
    /// <summary>The 12-digit account ID: known from the tenant's settings, or asked of the account once.</summary>
    string AccountId { get; }

    string Region { get; }

    IConnectGateway Connect { get; }

    IIamGateway Iam { get; }

    /// <summary>
    /// IAM Identity Center in <paramref name="region"/>: the organisation's Identity Center lives in one region, often not
    /// the tenant's, and answers only there. Its calls are rate-limited as that region's.
    /// </summary>
    IIdentityCenterGateway IdentityCenterIn(string region);

    IS3Gateway S3 { get; }

    ICloudFrontGateway CloudFront { get; }

    IAppStreamGateway AppStream { get; }

    IStsGateway Sts { get; }

    /// <summary>The CCP pages as agents' browsers load them: plain HTTPS, not an AWS API call.</summary>
    IPublishedSite PublishedSite { get; }
}

/// <summary>Opens a tenant's account, by its access mode.</summary>
public interface IAwsAccountFactory
{
    Task<IAwsAccount> OpenAsync(TenantView tenant, CancellationToken ct);
}
