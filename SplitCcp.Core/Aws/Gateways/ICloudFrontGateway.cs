namespace SplitCcp.Core.Aws.Gateways;

public sealed record OriginAccessControl(string Id, string Name);

/// <summary>
/// A distribution (ListDistributions / GetDistribution). Status: InProgress or Deployed. <see cref="OriginDomainName"/> is the
/// first origin's domain (the bucket's REST endpoint); <see cref="OriginAccessControlId"/> that origin's OAC, or null.
/// </summary>
public sealed record CloudFrontDistribution(string Id, string Arn, string DomainName, string Status, bool Enabled, string Comment, string OriginDomainName, string? OriginAccessControlId);

/// <summary>Amazon CloudFront (REST-XML, global, signed for us-east-1), for the CloudFront hosting mode.</summary>
public interface ICloudFrontGateway
{
    /// <summary>ListOriginAccessControls, all pages, matched by name; null when none has it.</summary>
    Task<OriginAccessControl?> FindOriginAccessControlAsync(string name, CancellationToken ct);

    /// <summary>CreateOriginAccessControl for S3, signing always with SigV4. Returns it.</summary>
    Task<OriginAccessControl> CreateOriginAccessControlAsync(string name, CancellationToken ct);

    /// <summary>ListDistributions, all pages, matched by comment (the portal marks its distributions with a comment); null when none.</summary>
    Task<CloudFrontDistribution?> FindDistributionByCommentAsync(string comment, CancellationToken ct);

    /// <summary>
    /// CreateDistribution with one S3 origin (the bucket's regional REST domain) using the OAC, redirect-to-https, the managed
    /// CachingOptimized policy, default root object none, enabled. <paramref name="callerReference"/> makes the call idempotent.
    /// </summary>
    Task<CloudFrontDistribution> CreateDistributionAsync(string callerReference, string comment, string originDomainName, string originAccessControlId, CancellationToken ct);
}
