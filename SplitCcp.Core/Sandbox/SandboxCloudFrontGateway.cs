using System.Net;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Sandbox;

/// <summary>CloudFront as the Sandbox simulates it: origin access controls, and distributions that deploy for a while and are idempotent by caller reference.</summary>
internal sealed class SandboxCloudFrontGateway(SandboxAwsAccount account) : SandboxGateway(account), ICloudFrontGateway
{
    public const string InProgress = "InProgress";
    public const string Deployed = "Deployed";

    public Task<OriginAccessControl?> FindOriginAccessControlAsync(string name, CancellationToken ct) =>
        CallAsync(CloudFrontOperations.ListOriginAccessControls, name, async s =>
            (await s.ListAsync<OacRecord>(SandboxKinds.CloudFrontOriginAccessControl)).FirstOrDefault(o => o.Name == name)?.ToModel(), ct);

    public Task<OriginAccessControl> CreateOriginAccessControlAsync(string name, CancellationToken ct) =>
        CallAsync(CloudFrontOperations.CreateOriginAccessControl, name, async s =>
        {
            if (name.Length is < 1 or > 64)
            {
                throw s.Fail("InvalidArgument", "The origin access control name must be 1 to 64 characters.");
            }

            if ((await s.ListAsync<OacRecord>(SandboxKinds.CloudFrontOriginAccessControl)).Any(o => o.Name == name))
            {
                throw s.Fail("OriginAccessControlAlreadyExists", $"An origin access control named {name} already exists.", HttpStatusCode.Conflict);
            }

            var oac = new OacRecord("E" + Account.Random.UpperAlnum(13), name);
            await s.PutAsync(SandboxKinds.CloudFrontOriginAccessControl, oac.Id, oac);
            return oac.ToModel();
        }, ct);

    public Task<CloudFrontDistribution?> FindDistributionByCommentAsync(string comment, CancellationToken ct) =>
        CallAsync(CloudFrontOperations.ListDistributions, comment, async s =>
            (await s.ListAsync<DistributionRecord>(SandboxKinds.CloudFrontDistribution)).FirstOrDefault(d => d.Comment == comment)?.ToModel(), ct);

    public Task<CloudFrontDistribution> CreateDistributionAsync(string callerReference, string comment, string originDomainName, string originAccessControlId, CancellationToken ct) =>
        CallAsync(CloudFrontOperations.CreateDistribution, comment, async s =>
        {
            var distributions = await s.ListAsync<DistributionRecord>(SandboxKinds.CloudFrontDistribution);
            if (distributions.FirstOrDefault(d => d.CallerReference == callerReference) is { } earlier)
            {
                // The same request again returns the same distribution; a different one with a used reference is refused.
                return earlier.Comment == comment && earlier.OriginDomainName == originDomainName && earlier.OriginAccessControlId == originAccessControlId
                    ? earlier.ToModel()
                    : throw s.Fail("DistributionAlreadyExists", $"The caller reference {callerReference} is already associated with distribution {earlier.Id}.", HttpStatusCode.Conflict);
            }

            if (comment.Length > 128 || Uri.CheckHostName(originDomainName) != UriHostNameType.Dns)
            {
                throw s.Fail("InvalidArgument", "The comment is at most 128 characters and the origin a DNS name.");
            }

            if (!await s.ExistsAsync(SandboxKinds.CloudFrontOriginAccessControl, originAccessControlId))
            {
                throw s.Fail("NoSuchOriginAccessControl", $"The origin access control {originAccessControlId} does not exist.", HttpStatusCode.NotFound);
            }

            var id = "E" + Account.Random.UpperAlnum(13);
            var distribution = new DistributionRecord(id, $"arn:aws:cloudfront::{AccountId}:distribution/{id}", $"d{Account.Random.LowerAlnum(13)}.cloudfront.net",
                InProgress, true, comment, originDomainName, originAccessControlId, callerReference,
                SandboxPending.After("status", Deployed, s.Now, Account.Options.DistributionDeployment));
            await s.PutAsync(SandboxKinds.CloudFrontDistribution, id, distribution);
            return distribution.ToModel();
        }, ct);
}

internal sealed record OacRecord(string Id, string Name)
{
    public OriginAccessControl ToModel() => new(Id, Name);
}

internal sealed record DistributionRecord(string Id, string Arn, string DomainName, string Status, bool Enabled, string Comment, string OriginDomainName,
    string? OriginAccessControlId, string CallerReference, SandboxPending? Pending = null)
{
    public CloudFrontDistribution ToModel() => new(Id, Arn, DomainName, Status, Enabled, Comment, OriginDomainName, OriginAccessControlId);
}
