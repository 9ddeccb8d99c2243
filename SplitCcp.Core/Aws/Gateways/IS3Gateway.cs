namespace SplitCcp.Core.Aws.Gateways;

/// <summary>The four Block Public Access settings of a bucket.</summary>
public sealed record PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets)
{
    public static PublicAccessBlock AllBlocked { get; } = new(true, true, true, true);

    public override string ToString() =>
        $"BlockPublicAcls={BlockPublicAcls}, IgnorePublicAcls={IgnorePublicAcls}, BlockPublicPolicy={BlockPublicPolicy}, RestrictPublicBuckets={RestrictPublicBuckets}";
}

/// <summary>An object's metadata: its content type and the SHA-256 of its content, lower-case hex.</summary>
public sealed record S3ObjectInfo(string ContentType, string Sha256);

/// <summary>Amazon S3, through the official AWSSDK.S3 client. Reads return null on NoSuchBucket / NoSuchKey / NoSuchBucketPolicy and the like.</summary>
public interface IS3Gateway
{
    /// <summary>HeadBucket: true when the bucket exists and this account can reach it.</summary>
    Task<bool> BucketExistsAsync(string bucket, CancellationToken ct);

    /// <summary>CreateBucket in the tenant's region (with a location constraint outside us-east-1).</summary>
    Task CreateBucketAsync(string bucket, CancellationToken ct);

    /// <summary>GetBucketOwnershipControls: BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter; null when none are set.</summary>
    Task<string?> GetObjectOwnershipAsync(string bucket, CancellationToken ct);

    Task PutObjectOwnershipAsync(string bucket, string ownership, CancellationToken ct);

    /// <summary>GetPublicAccessBlock; null when the bucket has none.</summary>
    Task<PublicAccessBlock?> GetPublicAccessBlockAsync(string bucket, CancellationToken ct);

    Task PutPublicAccessBlockAsync(string bucket, PublicAccessBlock block, CancellationToken ct);

    /// <summary>GetBucketPolicy: the policy JSON, or null when the bucket has none.</summary>
    Task<string?> GetBucketPolicyAsync(string bucket, CancellationToken ct);

    Task PutBucketPolicyAsync(string bucket, string policy, CancellationToken ct);

    /// <summary>HeadObject: content type and SHA-256, or null when the object does not exist.</summary>
    Task<S3ObjectInfo?> GetObjectInfoAsync(string bucket, string key, CancellationToken ct);

    /// <summary>PutObject with its content type and SHA-256 checksum.</summary>
    Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct);
}
