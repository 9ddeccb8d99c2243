using System.Xml.Linq;
using SplitCcp.Core.Aws.Signed;

namespace SplitCcp.Core.Aws.Gateways;

/// <summary>Amazon CloudFront over REST-XML (API 2020-05-31) through the signed client. Swap for AWSSDK.CloudFront here once it can be restored.</summary>
public sealed class CloudFrontGateway(AwsSignedClient client, IAwsCaller caller) : ICloudFrontGateway
{
    /// <summary>The managed cache policy "CachingOptimized".</summary>
    public const string CachingOptimizedPolicyId = "658327ea-f89d-4fab-a63d-7e88639e58f6";

    private const string Api = "/2020-05-31";
    private const string OriginId = "ccp-pages-bucket";
    private static readonly XNamespace s_ns = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

    private readonly AwsRestXml _api = new(client, caller, AwsSignedService.CloudFront);

    public async Task<OriginAccessControl?> FindOriginAccessControlAsync(string name, CancellationToken ct) =>
        (await AllPagesAsync(CloudFrontOperations.ListOriginAccessControls, "/origin-access-control", "origin access controls", ct))
            .Select(oac => new OriginAccessControl(oac.Required("Id"), oac.Required("Name")))
            .FirstOrDefault(oac => oac.Name == name);

    public async Task<OriginAccessControl> CreateOriginAccessControlAsync(string name, CancellationToken ct)
    {
        var config = new XElement(s_ns + "OriginAccessControlConfig",
            new XElement(s_ns + "Name", name),
            new XElement(s_ns + "Description", "Lets CloudFront read the split-CCP pages bucket."),
            new XElement(s_ns + "SigningProtocol", "sigv4"),
            new XElement(s_ns + "SigningBehavior", "always"),
            new XElement(s_ns + "OriginAccessControlOriginType", "s3"));
        var created = await _api.CallAsync(CloudFrontOperations.CreateOriginAccessControl, $"origin access control {name}", HttpMethod.Post,
            $"{Api}/origin-access-control", config, ct);
        return new OriginAccessControl(created.Required("Id"), created.Child("OriginAccessControlConfig")?.Text("Name") ?? name);
    }

    public async Task<CloudFrontDistribution?> FindDistributionByCommentAsync(string comment, CancellationToken ct) =>
        (await AllPagesAsync(CloudFrontOperations.ListDistributions, "/distribution", "distributions", ct))
            .Select(summary => ToDistribution(summary, summary))
            .FirstOrDefault(d => d.Comment == comment);

    public async Task<CloudFrontDistribution> CreateDistributionAsync(
        string callerReference, string comment, string originDomainName, string originAccessControlId, CancellationToken ct)
    {
        // Element order follows the API's schema, which CloudFront enforces.
        var config = new XElement(s_ns + "DistributionConfig",
            new XElement(s_ns + "CallerReference", callerReference),
            new XElement(s_ns + "Origins",
                new XElement(s_ns + "Quantity", 1),
                new XElement(s_ns + "Items",
                    new XElement(s_ns + "Origin",
                        new XElement(s_ns + "Id", OriginId),
                        new XElement(s_ns + "DomainName", originDomainName),
                        new XElement(s_ns + "S3OriginConfig", new XElement(s_ns + "OriginAccessIdentity", "")),
                        new XElement(s_ns + "OriginAccessControlId", originAccessControlId)))),
            new XElement(s_ns + "DefaultCacheBehavior",
                new XElement(s_ns + "TargetOriginId", OriginId),
                new XElement(s_ns + "ViewerProtocolPolicy", "redirect-to-https"),
                new XElement(s_ns + "Compress", true),
                new XElement(s_ns + "CachePolicyId", CachingOptimizedPolicyId)),
            new XElement(s_ns + "Comment", comment),
            new XElement(s_ns + "Enabled", true));
        var created = await _api.CallAsync(CloudFrontOperations.CreateDistribution, $"distribution {comment}", HttpMethod.Post, $"{Api}/distribution", config, ct);
        return ToDistribution(created, created.Child("DistributionConfig") ?? created);
    }

    /// <summary>Every item of a CloudFront listing: IsTruncated and NextMarker.</summary>
    private async Task<IReadOnlyList<XElement>> AllPagesAsync(AwsOperation operation, string path, string resource, CancellationToken ct) =>
        await AwsPaging.AllAsync(async marker =>
        {
            var list = await _api.CallAsync(operation, resource, HttpMethod.Get, AwsPath.Query(Api + path, ("Marker", marker), ("MaxItems", "100")), null, ct);
            return (list.Items("Items"), list.Flag("IsTruncated") ? list.Text("NextMarker") : null);
        });

    /// <summary>A distribution from a DistributionSummary (which is its own config) or a Distribution and its DistributionConfig.</summary>
    private static CloudFrontDistribution ToDistribution(XElement distribution, XElement config)
    {
        var origin = config.Child("Origins")?.Items("Items").FirstOrDefault();
        return new CloudFrontDistribution(
            distribution.Required("Id"),
            distribution.Required("ARN"),
            distribution.Text("DomainName") ?? "",
            distribution.Text("Status") ?? "",
            config.Flag("Enabled"),
            config.Text("Comment") ?? "",
            origin?.Text("DomainName") ?? "",
            origin?.Text("OriginAccessControlId") is { Length: > 0 } oac ? oac : null);
    }
}
