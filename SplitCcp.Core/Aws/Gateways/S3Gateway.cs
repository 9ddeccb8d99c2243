using System.Net;
using System.Security.Cryptography;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace SplitCcp.Core.Aws.Gateways;

/// <summary>
/// <see cref="IS3Gateway"/> on the official AWSSDK.S3 client. Every call goes through <see cref="IAwsCaller"/> with its
/// declared <see cref="S3Operations"/> entry, so it is rate-limited, retried and allowed by the onboarding policy.
/// </summary>
public sealed class S3Gateway : IS3Gateway, IDisposable
{
    private const string UsEast1 = "us-east-1";

    private readonly IAmazonS3 _client;
    private readonly string _region;
    private readonly IAwsCaller _caller;
    private readonly bool _ownsClient;

    /// <summary>Uses <paramref name="client"/>, which the caller keeps and disposes; <paramref name="region"/> is where buckets are created.</summary>
    public S3Gateway(IAmazonS3 client, string region, IAwsCaller caller)
    {
        _client = client;
        _region = region;
        _caller = caller;
    }

    /// <summary>A client of its own for <paramref name="region"/>, or for an emulator at <paramref name="endpointUrl"/> (path-style addressing).</summary>
    public S3Gateway(AWSCredentials credentials, string region, string? endpointUrl, IAwsCaller caller)
        : this(new AmazonS3Client(credentials, CreateConfig(region, endpointUrl)), region, caller)
    {
        _ownsClient = true;
    }

    public static AmazonS3Config CreateConfig(string region, string? endpointUrl)
    {
        var config = AwsSdkCalls.Configure(new AmazonS3Config(), region, endpointUrl);
        if (!string.IsNullOrEmpty(endpointUrl))
        {
            // Emulators serve buckets under the path, not as host names.
            config.ForcePathStyle = true;
        }

        return config;
    }

    public async Task<bool> BucketExistsAsync(string bucket, CancellationToken ct) =>
        // 404 means there is no such bucket. A 403 (the bucket is someone else's, or this role may not list it) is not
        // turned into "absent": the caller would then try to create it. It fails with AccessDenied instead.
        await _caller.ReadSdkAsync(S3Operations.HeadBucket, bucket,
            async token => await _client.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, token),
            AwsSdkCalls.IsNotFoundStatus, ct) is not null;

    public Task CreateBucketAsync(string bucket, CancellationToken ct)
    {
        var request = new PutBucketRequest { BucketName = bucket };
        if (!string.Equals(_region, UsEast1, StringComparison.Ordinal))
        {
            // Outside us-east-1 S3 wants the region as the location constraint; in us-east-1 it refuses one.
            request.PutBucketConfiguration = new PutBucketConfiguration { LocationConstraint = new BucketLocationConstraint(_region) };
        }

        return _caller.CallSdkAsync(S3Operations.CreateBucket, bucket, token => _client.PutBucketAsync(request, token), ct);
    }

    public Task<string?> GetObjectOwnershipAsync(string bucket, CancellationToken ct) =>
        _caller.ReadSdkAsync(S3Operations.GetBucketOwnershipControls, bucket, async token =>
            {
                var response = await _client.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = bucket }, token);
                return response.OwnershipControls?.Rules?.FirstOrDefault()?.ObjectOwnership?.Value;
            },
            Absent("OwnershipControlsNotFoundError"), ct);

    public Task PutObjectOwnershipAsync(string bucket, string ownership, CancellationToken ct) =>
        _caller.CallSdkAsync(S3Operations.PutBucketOwnershipControls, bucket, token => _client.PutBucketOwnershipControlsAsync(new PutBucketOwnershipControlsRequest
        {
            BucketName = bucket,
            OwnershipControls = new OwnershipControls { Rules = [new OwnershipControlsRule { ObjectOwnership = ObjectOwnership.FindValue(ownership) }] },
        }, token), ct);

    public Task<PublicAccessBlock?> GetPublicAccessBlockAsync(string bucket, CancellationToken ct) =>
        _caller.ReadSdkAsync(S3Operations.GetPublicAccessBlock, bucket, async token =>
            {
                var response = await _client.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket }, token);
                return response.PublicAccessBlockConfiguration is { } c
                    ? new PublicAccessBlock(c.BlockPublicAcls == true, c.IgnorePublicAcls == true, c.BlockPublicPolicy == true, c.RestrictPublicBuckets == true)
                    : null;
            },
            Absent("NoSuchPublicAccessBlockConfiguration"), ct);

    public Task PutPublicAccessBlockAsync(string bucket, PublicAccessBlock block, CancellationToken ct) =>
        _caller.CallSdkAsync(S3Operations.PutPublicAccessBlock, bucket, token => _client.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = bucket,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration
            {
                BlockPublicAcls = block.BlockPublicAcls,
                IgnorePublicAcls = block.IgnorePublicAcls,
                BlockPublicPolicy = block.BlockPublicPolicy,
                RestrictPublicBuckets = block.RestrictPublicBuckets,
            },
        }, token), ct);

    public Task<string?> GetBucketPolicyAsync(string bucket, CancellationToken ct) =>
        _caller.ReadSdkAsync(S3Operations.GetBucketPolicy, bucket, async token =>
            {
                var response = await _client.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket }, token);
                if ((int)response.HttpStatusCode is < 200 or > 299)
                {
                    // AWSSDK.S3 4.1.0 does not throw for a failed GetBucketPolicy: it returns the status with the XML
                    // error body as the "policy" (seen against moto). Raise the error the body names instead.
                    throw ErrorFromBody(response.HttpStatusCode, response.Policy);
                }

                return string.IsNullOrEmpty(response.Policy) ? null : response.Policy;
            },
            Absent("NoSuchBucketPolicy"), ct);

    public Task PutBucketPolicyAsync(string bucket, string policy, CancellationToken ct) =>
        _caller.CallSdkAsync(S3Operations.PutBucketPolicy, bucket,
            token => _client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = policy }, token), ct);

    /// <summary>
    /// The SHA-256 is the object's own checksum: HeadObject with checksum mode on. S3 returns it for an object put with one,
    /// and so does moto 5.2.1, so no copy is kept in user metadata. An object put without one (by hand, or by another tool)
    /// reads as an empty string, which never matches a wanted hash, so the portal puts it again, this time with its checksum.
    /// </summary>
    public Task<S3ObjectInfo?> GetObjectInfoAsync(string bucket, string key, CancellationToken ct) =>
        _caller.ReadSdkAsync(S3Operations.HeadObject, $"{bucket}/{key}", async token =>
            {
                var response = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest
                {
                    BucketName = bucket,
                    Key = key,
                    ChecksumMode = ChecksumMode.ENABLED,
                }, token);
                return new S3ObjectInfo(response.Headers.ContentType ?? "", Sha256Of(response));
            },
            AwsSdkCalls.IsNotFoundStatus, ct);

    public Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct)
    {
        var sha256 = SHA256.HashData(content.Span);
        return _caller.CallSdkAsync(S3Operations.PutObject, $"{bucket}/{key}", async token =>
        {
            // A fresh stream per attempt: a retry must send the whole content again.
            using var body = new MemoryStream(content.ToArray(), writable: false);
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = body,
                ContentType = contentType,
                ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
                ChecksumSHA256 = Convert.ToBase64String(sha256),
            };
            return await _client.PutObjectAsync(request, token);
        }, ct);
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <summary>The S3 error an XML error body (<c>&lt;Error&gt;&lt;Code&gt;…</c>) describes.</summary>
    private static AmazonS3Exception ErrorFromBody(HttpStatusCode status, string? body)
    {
        XElement? error = null;
        try
        {
            error = string.IsNullOrEmpty(body) ? null : XDocument.Parse(body).Root;
        }
        catch (XmlException)
        {
            // Not XML: the status alone classifies it.
        }

        var code = error?.Element("Code")?.Value;
        var message = error?.Element("Message")?.Value ?? $"HTTP {(int)status}";
        return new AmazonS3Exception(message, ErrorType.Unknown, code, error?.Element("RequestId")?.Value, status);
    }

    /// <summary>A bucket read answers null when the bucket is missing as well as when the setting is.</summary>
    private static Func<AmazonServiceException, bool> Absent(string code) =>
        ex => ex.ErrorCode is "NoSuchBucket" || string.Equals(ex.ErrorCode, code, StringComparison.Ordinal);

    private static string Sha256Of(GetObjectMetadataResponse response)
    {
        // A multipart upload's checksum is a checksum of its parts' checksums ("…-3"), not of the content: not usable here.
        var checksum = response.ChecksumSHA256;
        if (string.IsNullOrEmpty(checksum) || checksum.Contains('-', StringComparison.Ordinal))
        {
            return "";
        }

        var bytes = new byte[SHA256.HashSizeInBytes];
        return Convert.TryFromBase64String(checksum, bytes, out var written) && written == bytes.Length ? Convert.ToHexStringLower(bytes) : "";
    }
}
