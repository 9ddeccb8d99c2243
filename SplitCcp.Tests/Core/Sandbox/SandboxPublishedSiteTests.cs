using System.Security.Cryptography;
using System.Text;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Sandbox;

namespace SplitCcp.Tests.Core.Sandbox;

public sealed class SandboxPublishedSiteTests : SandboxTests
{
    private const string Bucket = "acme-ccp-pages";
    private const string Html = "text/html; charset=utf-8";
    private static readonly Uri s_bucketPage = new($"https://{Bucket}.s3.eu-west-2.amazonaws.com/AudioOnly.html");
    private static readonly byte[] s_page = Encoding.UTF8.GetBytes("<!doctype html><title>AudioOnly</title>");
    private static readonly SiteAnswer s_served = new SiteAnswer.Served(200, Html, Convert.ToHexStringLower(SHA256.HashData(s_page)));
    private static readonly SiteAnswer s_forbidden = new SiteAnswer.Served(403, "application/xml", null);

    private IS3Gateway S3 => Account.S3;

    private ICloudFrontGateway CloudFront => Account.CloudFront;

    [Fact]
    public async Task GetAsync_PublicBucket_ServesTheStoredObjectsContentTypeAndSha256()
    {
        await PublicBucketAsync();

        (await GetAsync(s_bucketPage)).ShouldBe(s_served);
    }

    [Fact]
    public async Task GetAsync_PrivateBucket_Forbidden()
    {
        await BucketWithPageAsync();

        (await GetAsync(s_bucketPage)).ShouldBe(s_forbidden);
    }

    [Fact]
    public async Task GetAsync_PublicPolicyWhileRestrictPublicBucketsIsOn_Forbidden()
    {
        await PublicBucketAsync();

        await World.Console.AlterAsync(World.TenantId, SandboxKinds.S3Bucket, Bucket, "restrictPublicBuckets", "true");

        (await GetAsync(s_bucketPage)).ShouldBe(s_forbidden);
    }

    [Fact]
    public async Task GetAsync_MissingObject_ForbiddenUnlessThePolicyLetsTheReaderListTheBucket()
    {
        await PublicBucketAsync();
        var missing = new Uri($"https://{Bucket}.s3.eu-west-2.amazonaws.com/InSession.html");
        var before = await GetAsync(missing);

        await S3.PutBucketPolicyAsync(Bucket, Policy(
            """{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-ccp-pages/*"}""",
            """{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::acme-ccp-pages"}"""), default);

        before.ShouldBe(s_forbidden, "S3 answers 403 for a missing key to a reader who may not list the bucket");
        (await GetAsync(missing)).ShouldBe(new SiteAnswer.Served(404, "application/xml", null));
    }

    [Fact]
    public async Task GetAsync_NoSuchBucket_NotFound()
    {
        (await GetAsync(s_bucketPage)).ShouldBe(new SiteAnswer.Served(404, "application/xml", null));
    }

    [Fact]
    public async Task GetAsync_ExplicitDeny_WinsOverThePublicAllow()
    {
        await PublicBucketAsync();

        await S3.PutBucketPolicyAsync(Bucket, Policy(
            """{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-ccp-pages/*"}""",
            """{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::acme-ccp-pages/Audio*"}"""), default);

        (await GetAsync(s_bucketPage)).ShouldBe(s_forbidden);
    }

    [Fact]
    public async Task GetAsync_DistributionWhoseOriginAccessControlThePolicyTrusts_ServesThePrivateBucket()
    {
        await BucketWithPageAsync();
        var distribution = await DistributionAsync();

        await S3.PutBucketPolicyAsync(Bucket, CloudFrontPolicy(distribution.Arn), default);

        (await GetAsync(new Uri($"https://{distribution.DomainName}/AudioOnly.html"))).ShouldBe(s_served);
        (await GetAsync(s_bucketPage)).ShouldBe(s_forbidden, "the bucket itself stays private");
    }

    [Fact]
    public async Task GetAsync_PolicyTrustsAnotherDistribution_Forbidden()
    {
        await BucketWithPageAsync();
        var distribution = await DistributionAsync();

        await S3.PutBucketPolicyAsync(Bucket, CloudFrontPolicy($"arn:aws:cloudfront::{Account.AccountId}:distribution/EOTHER0000000"), default);

        (await GetAsync(new Uri($"https://{distribution.DomainName}/AudioOnly.html"))).ShouldBe(s_forbidden);
    }

    [Fact]
    public async Task GetAsync_DisabledDistribution_Forbidden()
    {
        await BucketWithPageAsync();
        var distribution = await DistributionAsync();
        await S3.PutBucketPolicyAsync(Bucket, CloudFrontPolicy(distribution.Arn), default);

        await World.Console.AlterAsync(World.TenantId, SandboxKinds.CloudFrontDistribution, distribution.Id, "enabled", "false");

        (await GetAsync(new Uri($"https://{distribution.DomainName}/AudioOnly.html"))).ShouldBe(s_forbidden);
    }

    [Fact]
    public async Task GetAsync_DistributionWhoseOriginIsNoBucketOfTheAccount_BadGateway()
    {
        await BucketWithPageAsync();
        var distribution = await DistributionAsync();

        await World.Console.AlterAsync(World.TenantId, SandboxKinds.CloudFrontDistribution, distribution.Id, "originDomainName", "pages.example.com");

        (await GetAsync(new Uri($"https://{distribution.DomainName}/AudioOnly.html"))).ShouldBe(new SiteAnswer.Served(502, "application/xml", null));
    }

    [Fact]
    public async Task GetAsync_HostOfNoBucketOrDistribution_Unreachable()
    {
        (await GetAsync(new Uri("https://ccp.example.com/AudioOnly.html"))).ShouldBeOfType<SiteAnswer.Unreachable>().Reason
            .ShouldBe("ccp.example.com does not resolve (DNS): it is neither a bucket nor a CloudFront distribution of this Sandbox account");
    }

    [Fact]
    public async Task GetAsync_IsNoAwsCall_SoNeitherFaultsNorTheirCountersApply()
    {
        await PublicBucketAsync();
        var attempts = World.Faults.Attempts;

        World.Options.CurrentValue = new SandboxOptions { ThrottleRate = 1 };

        (await GetAsync(s_bucketPage)).ShouldBe(s_served);
        World.Faults.Attempts.ShouldBe(attempts);
    }

    [Fact]
    public async Task GetAsync_NotHttps_Refused()
    {
        await Should.ThrowAsync<ArgumentException>(() => GetAsync(new Uri($"http://{Bucket}.s3.eu-west-2.amazonaws.com/AudioOnly.html")));
    }

    private Task<SiteAnswer> GetAsync(Uri url) => Account.PublishedSite.GetAsync(url, default);

    private async Task BucketWithPageAsync()
    {
        await S3.CreateBucketAsync(Bucket, default);
        await S3.PutObjectAsync(Bucket, "AudioOnly.html", s_page, Html, default);
    }

    private async Task PublicBucketAsync()
    {
        await BucketWithPageAsync();
        await S3.PutPublicAccessBlockAsync(Bucket, new PublicAccessBlock(true, true, false, false), default);
        await S3.PutBucketPolicyAsync(Bucket, Policy("""{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-ccp-pages/*"}"""), default);
    }

    private async Task<CloudFrontDistribution> DistributionAsync()
    {
        var oac = await CloudFront.CreateOriginAccessControlAsync("acme-oac", default);
        return await CloudFront.CreateDistributionAsync("ref-1", "splitccp:acme", $"{Bucket}.s3.eu-west-2.amazonaws.com", oac.Id, default);
    }

    private static string CloudFrontPolicy(string sourceArn) => Policy($$"""
        {"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-ccp-pages/*",
         "Condition":{"StringEquals":{"AWS:SourceArn":"{{sourceArn}}"} } }
        """);

    private static string Policy(params string[] statements) => $$"""{"Version":"2012-10-17","Statement":[{{string.Join(",", statements)}}]}""";
}
