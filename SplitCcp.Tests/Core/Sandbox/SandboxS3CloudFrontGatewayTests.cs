using System.Security.Cryptography;
using System.Text;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Tests.Core.Sandbox;

public sealed class SandboxS3CloudFrontGatewayTests : SandboxTests
{
    private IS3Gateway S3 => Account.S3;

    private ICloudFrontGateway CloudFront => Account.CloudFront;

    [Fact]
    public async Task CreateBucket_IsPrivateAndOwnerEnforced_AsAwsHasDoneSinceApril2023()
    {
        await S3.CreateBucketAsync("acme-ccp-pages", default);

        (await S3.BucketExistsAsync("acme-ccp-pages", default)).ShouldBeTrue();
        (await S3.GetObjectOwnershipAsync("acme-ccp-pages", default)).ShouldBe("BucketOwnerEnforced");
        (await S3.GetPublicAccessBlockAsync("acme-ccp-pages", default)).ShouldBe(PublicAccessBlock.AllBlocked);
        (await S3.GetBucketPolicyAsync("acme-ccp-pages", default)).ShouldBeNull();
        (await Should.ThrowAsync<AwsCallException>(() => S3.CreateBucketAsync("acme-ccp-pages", default))).Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Acme-pages")]
    [InlineData("acme..pages")]
    [InlineData("-acme")]
    [InlineData("192.168.5.4")]
    [InlineData("xn--acme")]
    [InlineData("acme-s3alias")]
    public async Task CreateBucket_BadName_IsInvalidInput(string name)
    {
        var ex = await Should.ThrowAsync<AwsCallException>(() => S3.CreateBucketAsync(name, default));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        (await S3.BucketExistsAsync(name, default)).ShouldBeFalse();
    }

    [Fact]
    public async Task PutBucketPolicy_PublicWhileBlocked_IsDenied_UntilTheBlockIsLifted()
    {
        await S3.CreateBucketAsync("acme-ccp-pages", default);
        var publicRead = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-ccp-pages/*"}]}""";

        (await Should.ThrowAsync<AwsCallException>(() => S3.PutBucketPolicyAsync("acme-ccp-pages", publicRead, default))).Failure.Kind.ShouldBe(AwsFailureKind.AccessDenied);

        await S3.PutPublicAccessBlockAsync("acme-ccp-pages", new PublicAccessBlock(true, true, false, false), default);
        await S3.PutBucketPolicyAsync("acme-ccp-pages", publicRead, default);
        (await S3.GetBucketPolicyAsync("acme-ccp-pages", default)).ShouldBe(publicRead);
    }

    [Fact]
    public async Task PutBucketPolicy_NotJsonOrAnotherBucket_IsInvalidInput_AndAMissingBucketNotFound()
    {
        await S3.CreateBucketAsync("acme-ccp-pages", default);
        var otherBucket = """{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}""";

        (await Should.ThrowAsync<AwsCallException>(() => S3.PutBucketPolicyAsync("acme-ccp-pages", "nope", default))).Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        (await Should.ThrowAsync<AwsCallException>(() => S3.PutBucketPolicyAsync("acme-ccp-pages", otherBucket, default))).Failure.Kind.ShouldBe(AwsFailureKind.InvalidInput);
        (await Should.ThrowAsync<AwsCallException>(() => S3.PutBucketPolicyAsync("missing", otherBucket, default))).Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
    }

    [Fact]
    public async Task PutObject_KeepsContentTypeAndSha256()
    {
        await S3.CreateBucketAsync("acme-ccp-pages", default);
        var content = Encoding.UTF8.GetBytes("<html></html>");

        await S3.PutObjectAsync("acme-ccp-pages", "AudioOnly.html", content, "text/html; charset=utf-8", default);

        (await S3.GetObjectInfoAsync("acme-ccp-pages", "AudioOnly.html", default))
            .ShouldBe(new S3ObjectInfo("text/html; charset=utf-8", Convert.ToHexStringLower(SHA256.HashData(content))));
        (await S3.GetObjectInfoAsync("acme-ccp-pages", "InSession.html", default)).ShouldBeNull();
        (await Should.ThrowAsync<AwsCallException>(() => S3.PutObjectAsync("missing", "a", content, "text/html", default))).Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
    }

    [Fact]
    public async Task Distribution_DeploysAfterAWhile_AndTheCallerReferenceMakesItIdempotent()
    {
        var oac = await CloudFront.CreateOriginAccessControlAsync("acme-oac", default);
        (await CloudFront.FindOriginAccessControlAsync("acme-oac", default)).ShouldBe(oac);
        (await Should.ThrowAsync<AwsCallException>(() => CloudFront.CreateOriginAccessControlAsync("acme-oac", default))).Failure.Kind.ShouldBe(AwsFailureKind.Conflict);

        var origin = "acme-ccp-pages.s3.eu-west-2.amazonaws.com";
        var created = await CloudFront.CreateDistributionAsync("ref-1", "splitccp:acme", origin, oac.Id, default);
        (await CloudFront.CreateDistributionAsync("ref-1", "splitccp:acme", origin, oac.Id, default)).ShouldBe(created);
        (await Should.ThrowAsync<AwsCallException>(() => CloudFront.CreateDistributionAsync("ref-1", "other", origin, oac.Id, default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.Conflict);

        created.Status.ShouldBe("InProgress");
        created.DomainName.ShouldMatch(@"^d[a-z0-9]{13}\.cloudfront\.net$");
        created.Arn.ShouldBe($"arn:aws:cloudfront::{Account.AccountId}:distribution/{created.Id}");
        World.Time.Advance(TimeSpan.FromSeconds(30));
        (await CloudFront.FindDistributionByCommentAsync("splitccp:acme", default)).ShouldBe(created with { Status = "Deployed" });
        (await CloudFront.FindDistributionByCommentAsync("nothing", default)).ShouldBeNull();

        (await Should.ThrowAsync<AwsCallException>(() => CloudFront.CreateDistributionAsync("ref-2", "x", origin, "EMISSING", default)))
            .Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
    }
}
