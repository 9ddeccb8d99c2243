using System.Net;
using System.Text.Json.Nodes;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// What agents' browsers would get from a Sandbox account's pages, answered from its stored objects the way S3 and
/// CloudFront answer an anonymous GET (simplified):
/// <list type="bullet">
/// <item>A bucket's virtual-hosted address (<c>https://{bucket}.s3.{region}.amazonaws.com/{key}</c>) reads the bucket as an
/// anonymous caller: allowed only by a public Allow in the bucket policy, and not while the bucket's RestrictPublicBuckets is on.</item>
/// <item>A distribution's domain reads its origin bucket as the CloudFront service, signed by the origin access control
/// when the distribution has one that exists (so a policy statement for cloudfront.amazonaws.com, with an
/// <c>AWS:SourceArn</c> condition naming this distribution, lets it read), anonymously otherwise. A disabled distribution
/// answers 403; an origin that is not one of the account's buckets 502. Deployment time and caching are not simulated.</item>
/// <item>An existing, readable object answers 200 with its stored content type and SHA-256. A missing one answers 404 only
/// to a reader the policy lets list the bucket (s3:ListBucket) and 403 to any other, as S3 does, so that who may read a
/// bucket cannot learn what it does not hold. Any other host does not resolve.</item>
/// </list>
/// It is not an AWS API call: no rate limit, no retries, no injected faults.
/// </summary>
internal sealed class SandboxPublishedSite(SandboxAwsAccount account) : IPublishedSite
{
    private const string CloudFrontService = "cloudfront.amazonaws.com";
    private const string ErrorContentType = "application/xml";

    private static readonly string[] s_sourceArnConditions = ["StringEquals", "StringLike", "ArnEquals", "ArnLike"];

    public Task<SiteAnswer> GetAsync(Uri url, CancellationToken ct)
    {
        if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps || url.UserInfo.Length > 0)
        {
            throw new ArgumentException($"Only https:// addresses of the published pages are fetched, not {url}.", nameof(url));
        }

        return account.ReadAsync(s => AnswerAsync(s, url), ct);
    }

    private async Task<SiteAnswer> AnswerAsync(SandboxSession s, Uri url)
    {
        var host = url.IdnHost.ToLowerInvariant();
        var key = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/'));
        if (SetupValues.BucketOfHost(host, account.Region) is { } bucket)
        {
            return await ReadObjectAsync(s, bucket, key, Reader.Anonymous);
        }

        var distribution = (await s.ListAsync<DistributionRecord>(SandboxKinds.CloudFrontDistribution)).FirstOrDefault(d => d.DomainName == host);
        if (distribution is null)
        {
            return new SiteAnswer.Unreachable($"{host} does not resolve (DNS): it is neither a bucket nor a CloudFront distribution of this Sandbox account");
        }

        if (!distribution.Enabled)
        {
            return Status(HttpStatusCode.Forbidden);
        }

        if (SetupValues.BucketOfHost(distribution.OriginDomainName, account.Region) is not { } origin)
        {
            return Status(HttpStatusCode.BadGateway);
        }

        var signed = distribution.OriginAccessControlId is { } oac && await s.ExistsAsync(SandboxKinds.CloudFrontOriginAccessControl, oac);
        return await ReadObjectAsync(s, origin, key, signed ? Reader.CloudFront(distribution.Arn) : Reader.Anonymous);
    }

    private static async Task<SiteAnswer> ReadObjectAsync(SandboxSession s, string bucket, string key, Reader reader)
    {
        if (await s.GetAsync<BucketRecord>(SandboxKinds.S3Bucket, bucket) is not { } record)
        {
            return Status(HttpStatusCode.NotFound);
        }

        if (reader.IsAnonymous && record.RestrictPublicBuckets)
        {
            return Status(HttpStatusCode.Forbidden);
        }

        var policy = await s.GetAsync<BucketPolicyRecord>(SandboxKinds.S3BucketPolicy, bucket) is { } stored
            ? SandboxIamGateway.ParsePolicy(stored.Policy)
            : null;
        if (!Allows(policy, reader, "s3:GetObject", $"arn:aws:s3:::{bucket}/{key}"))
        {
            return Status(HttpStatusCode.Forbidden);
        }

        if (await s.GetAsync<S3ObjectRecord>(SandboxKinds.S3Object, $"{bucket}/{key}") is { } found)
        {
            return new SiteAnswer.Served((int)HttpStatusCode.OK, found.ContentType, found.Sha256);
        }

        return Status(Allows(policy, reader, "s3:ListBucket", $"arn:aws:s3:::{bucket}") ? HttpStatusCode.NotFound : HttpStatusCode.Forbidden);
    }

    private static SiteAnswer.Served Status(HttpStatusCode status) => new((int)status, ErrorContentType, null);

    /// <summary>An explicit Deny that applies wins; otherwise an Allow that applies grants.</summary>
    private static bool Allows(JsonObject? policy, Reader reader, string action, string resource)
    {
        if (policy is null)
        {
            return false;
        }

        var applying = SandboxS3Gateway.Statements(policy).Where(st => Applies(st, reader, action, resource)).ToList();
        return !applying.Any(st => st["Effect"]?.ToString() == "Deny") && applying.Any(st => st["Effect"]?.ToString() == "Allow");
    }

    private static bool Applies(JsonObject statement, Reader reader, string action, string resource) =>
        PrincipalMatches(statement["Principal"], reader)
        && SandboxS3Gateway.Values(statement["Action"]).Any(a => a == "*" || a.Equals("s3:*", StringComparison.OrdinalIgnoreCase) || a.Equals(action, StringComparison.OrdinalIgnoreCase))
        && SandboxS3Gateway.Values(statement["Resource"]).Any(r => Glob(r, resource))
        && ConditionHolds(statement["Condition"], reader);

    private static bool PrincipalMatches(JsonNode? principal, Reader reader) =>
        SandboxS3Gateway.IsEveryone(principal)
        || (reader.SourceArn is not null && principal is JsonObject named && SandboxS3Gateway.Values(named["Service"]).Contains(CloudFrontService));

    /// <summary>Only the condition the portal's own policy uses is understood: <c>AWS:SourceArn</c>. Any other never holds.</summary>
    private static bool ConditionHolds(JsonNode? condition, Reader reader)
    {
        if (condition is null)
        {
            return true;
        }

        if (condition is not JsonObject operators || operators.Count == 0)
        {
            return false;
        }

        foreach (var (name, keys) in operators)
        {
            if (!s_sourceArnConditions.Contains(name, StringComparer.Ordinal) || keys is not JsonObject { Count: 1 } only)
            {
                return false;
            }

            var (key, values) = only.First();
            var like = name.EndsWith("Like", StringComparison.Ordinal);
            if (!key.Equals("AWS:SourceArn", StringComparison.OrdinalIgnoreCase) || reader.SourceArn is not { } sourceArn
                || !SandboxS3Gateway.Values(values).Any(v => like ? Glob(v, sourceArn) : v == sourceArn))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>IAM's wildcard match: <c>*</c> any run of characters, <c>?</c> any one.</summary>
    private static bool Glob(string pattern, string value)
    {
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == value[v]))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>Who asks S3 for the object: an anonymous browser, or CloudFront signing for one distribution.</summary>
    private sealed record Reader(string? SourceArn)
    {
        public static readonly Reader Anonymous = new((string?)null);

        public bool IsAnonymous => SourceArn is null;

        public static Reader CloudFront(string distributionArn) => new(distributionArn);
    }
}
