using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Tests.Integration.Aws;

public sealed class S3GatewayTests(MotoServer moto) : IClassFixture<MotoServer>, IDisposable
{
    private const string Region = "eu-west-2";

    private static readonly BasicAWSCredentials s_credentials = new("AKIAS3GATEWAYTEST001", "s3-gateway-test-secret");

    private readonly RecordingAwsCaller _caller = new(Region);
    private readonly List<IDisposable> _disposables = [];

    private S3Gateway Gateway(string region = Region, RecordingAwsCaller? caller = null)
    {
        var gateway = new S3Gateway(s_credentials, region, moto.Endpoint.ToString(), caller ?? _caller);
        _disposables.Add(gateway);
        return gateway;
    }

    private AmazonS3Client RawClient()
    {
        var client = new AmazonS3Client(s_credentials, S3Gateway.CreateConfig(Region, moto.Endpoint.ToString()));
        _disposables.Add(client);
        return client;
    }

    private static string NewBucketName() => $"splitccp-test-{Guid.NewGuid():N}"[..40];

    private async Task<(S3Gateway S3, string Bucket)> NewBucketAsync()
    {
        var s3 = Gateway();
        var bucket = NewBucketName();
        await s3.CreateBucketAsync(bucket, CancellationToken.None);
        return (s3, bucket);
    }

    [Fact]
    public async Task CreateBucketAsync_OutsideUsEast1_CreatesTheBucketInTheTenantsRegion()
    {
        var s3 = Gateway();
        var bucket = NewBucketName();
        (await s3.BucketExistsAsync(bucket, CancellationToken.None)).ShouldBeFalse();

        await s3.CreateBucketAsync(bucket, CancellationToken.None);

        (await s3.BucketExistsAsync(bucket, CancellationToken.None)).ShouldBeTrue();
        var location = await RawClient().GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket });
        location.Location.Value.ShouldBe(Region);
        _caller.Operations.ShouldBe([S3Operations.HeadBucket, S3Operations.CreateBucket, S3Operations.HeadBucket]);
    }

    [Fact]
    public async Task CreateBucketAsync_InUsEast1_SendsNoLocationConstraint()
    {
        // S3 refuses a us-east-1 location constraint; moto does the same.
        var s3 = Gateway("us-east-1", new RecordingAwsCaller("us-east-1"));
        var bucket = NewBucketName();

        await s3.CreateBucketAsync(bucket, CancellationToken.None);

        (await s3.BucketExistsAsync(bucket, CancellationToken.None)).ShouldBeTrue();
    }

    [Fact]
    public async Task CreateBucketAsync_BucketAlreadyThere_FailsAsConflict()
    {
        var (s3, bucket) = await NewBucketAsync();

        var ex = await Should.ThrowAsync<AwsCallException>(() => s3.CreateBucketAsync(bucket, CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.Conflict);
        ex.Failure.Service.ShouldBe(AwsServices.S3);
        ex.Failure.Action.ShouldBe("CreateBucket");
        ex.Failure.Resource.ShouldBe(bucket);
    }

    [Fact]
    public async Task ObjectOwnership_NoneThenPut_ReadsBack()
    {
        var (s3, bucket) = await NewBucketAsync();

        (await s3.GetObjectOwnershipAsync(bucket, CancellationToken.None)).ShouldBeNull();
        await s3.PutObjectOwnershipAsync(bucket, "BucketOwnerEnforced", CancellationToken.None);

        (await s3.GetObjectOwnershipAsync(bucket, CancellationToken.None)).ShouldBe("BucketOwnerEnforced");
    }

    [Fact]
    public async Task PublicAccessBlock_NoneThenPut_ReadsBack()
    {
        var (s3, bucket) = await NewBucketAsync();
        var block = new PublicAccessBlock(BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false);

        (await s3.GetPublicAccessBlockAsync(bucket, CancellationToken.None)).ShouldBeNull();
        await s3.PutPublicAccessBlockAsync(bucket, block, CancellationToken.None);

        (await s3.GetPublicAccessBlockAsync(bucket, CancellationToken.None)).ShouldBe(block);
    }

    [Fact]
    public async Task BucketPolicy_NoneThenPut_ReadsBack()
    {
        var (s3, bucket) = await NewBucketAsync();
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{bucket}}/*"}]}
            """;

        (await s3.GetBucketPolicyAsync(bucket, CancellationToken.None)).ShouldBeNull();
        await s3.PutBucketPolicyAsync(bucket, policy, CancellationToken.None);

        var read = await s3.GetBucketPolicyAsync(bucket, CancellationToken.None);
        JsonNode.DeepEquals(JsonNode.Parse(read!), JsonNode.Parse(policy)).ShouldBeTrue(read);
    }

    [Fact]
    public async Task PutObjectAsync_ThenGetObjectInfo_ReturnsContentTypeAndSha256OfTheBytes()
    {
        var (s3, bucket) = await NewBucketAsync();
        var content = Encoding.UTF8.GetBytes("<!doctype html><title>AudioOnly</title>");

        await s3.PutObjectAsync(bucket, "ccp/AudioOnly.html", content, "text/html; charset=utf-8", CancellationToken.None);
        var info = await s3.GetObjectInfoAsync(bucket, "ccp/AudioOnly.html", CancellationToken.None);

        info.ShouldNotBeNull();
        info.ContentType.ShouldBe("text/html; charset=utf-8");
        info.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
        var stored = await RawClient().GetObjectAsync(bucket, "ccp/AudioOnly.html");
        using var reader = new StreamReader(stored.ResponseStream);
        (await reader.ReadToEndAsync()).ShouldBe(Encoding.UTF8.GetString(content), "the body went up intact, not in chunked framing");
    }

    [Fact]
    public async Task PutObjectAsync_SendsTheSha256ChecksumThatS3Verifies()
    {
        var (s3, bucket) = await NewBucketAsync();

        await s3.PutObjectAsync(bucket, "a.js", "x"u8.ToArray(), "text/javascript", CancellationToken.None);
        var head = await RawClient().GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "a.js", ChecksumMode = ChecksumMode.ENABLED });

        head.ChecksumSHA256.ShouldBe(Convert.ToBase64String(SHA256.HashData("x"u8)));
    }

    [Fact]
    public async Task GetObjectInfoAsync_ObjectPutWithoutSha256_HasAnEmptySha256()
    {
        var (s3, bucket) = await NewBucketAsync();
        await RawClient().PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "by-hand.txt", ContentBody = "by hand", ContentType = "text/plain" });

        var info = await s3.GetObjectInfoAsync(bucket, "by-hand.txt", CancellationToken.None);

        info.ShouldNotBeNull();
        info.ContentType.ShouldBe("text/plain");
        info.Sha256.ShouldBeEmpty("the SDK put it with its default CRC32 checksum, so there is no SHA-256 to report, and never a wrong one");
    }

    [Fact]
    public async Task Reads_MissingObjectOrBucket_ReturnNull()
    {
        var (s3, bucket) = await NewBucketAsync();
        var missing = NewBucketName();

        (await s3.GetObjectInfoAsync(bucket, "nope.html", CancellationToken.None)).ShouldBeNull();
        (await s3.GetObjectInfoAsync(missing, "nope.html", CancellationToken.None)).ShouldBeNull();
        (await s3.BucketExistsAsync(missing, CancellationToken.None)).ShouldBeFalse();
        (await s3.GetBucketPolicyAsync(missing, CancellationToken.None)).ShouldBeNull();
        (await s3.GetPublicAccessBlockAsync(missing, CancellationToken.None)).ShouldBeNull();
        (await s3.GetObjectOwnershipAsync(missing, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Writes_MissingBucket_FailAsNotFoundNamingTheBucket()
    {
        var s3 = Gateway();
        var missing = NewBucketName();

        var policy = await Should.ThrowAsync<AwsCallException>(() => s3.PutBucketPolicyAsync(missing, """{"Version":"2012-10-17","Statement":[]}""", CancellationToken.None));
        var put = await Should.ThrowAsync<AwsCallException>(() => s3.PutObjectAsync(missing, "a.html", "a"u8.ToArray(), "text/html", CancellationToken.None));

        policy.Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
        policy.Failure.Message.ShouldContain(missing);
        put.Failure.Kind.ShouldBe(AwsFailureKind.NotFound);
        put.Failure.Resource.ShouldBe($"{missing}/a.html");
        put.InnerException.ShouldBeAssignableTo<AmazonS3Exception>()!.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EveryCall_UsesADeclaredS3Operation()
    {
        var (s3, bucket) = await NewBucketAsync();
        await s3.BucketExistsAsync(bucket, CancellationToken.None);
        await s3.GetObjectOwnershipAsync(bucket, CancellationToken.None);
        await s3.PutObjectOwnershipAsync(bucket, "BucketOwnerEnforced", CancellationToken.None);
        await s3.GetPublicAccessBlockAsync(bucket, CancellationToken.None);
        await s3.PutPublicAccessBlockAsync(bucket, PublicAccessBlock.AllBlocked, CancellationToken.None);
        await s3.GetBucketPolicyAsync(bucket, CancellationToken.None);
        await s3.PutBucketPolicyAsync(bucket, $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::{{bucket}}"}]}""", CancellationToken.None);
        await s3.PutObjectAsync(bucket, "k", "v"u8.ToArray(), "text/plain", CancellationToken.None);
        await s3.GetObjectInfoAsync(bucket, "k", CancellationToken.None);

        _caller.Operations.Distinct().ShouldBe(AwsOperationCatalog.Of(typeof(S3Operations)), ignoreOrder: true);
    }

    [Fact]
    public async Task AnyCall_EndpointNotListening_FailsAsUnreachable()
    {
        using var s3 = new S3Gateway(s_credentials, Region, "http://127.0.0.1:9", _caller);

        var ex = await Should.ThrowAsync<AwsCallException>(() => s3.BucketExistsAsync("any-bucket", CancellationToken.None));

        ex.Failure.Kind.ShouldBe(AwsFailureKind.Unreachable);
    }

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }
    }
}
