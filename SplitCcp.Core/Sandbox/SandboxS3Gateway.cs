using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// Amazon S3 as the Sandbox simulates it: bucket naming rules, buckets created the way AWS has made them since April 2023
/// (BucketOwnerEnforced, all public access blocked), a public policy refused while BlockPublicPolicy is on, objects by SHA-256.
/// Bucket names are unique per account rather than worldwide.
/// </summary>
internal sealed partial class SandboxS3Gateway(SandboxAwsAccount account) : SandboxGateway(account), IS3Gateway
{
    public const string BucketOwnerEnforced = "BucketOwnerEnforced";

    private static readonly string[] s_ownerships = [BucketOwnerEnforced, "BucketOwnerPreferred", "ObjectWriter"];
    private static readonly string[] s_reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
    private static readonly string[] s_reservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken ct) =>
        CallAsync(S3Operations.HeadBucket, bucket, s => s.ExistsAsync(SandboxKinds.S3Bucket, bucket), ct);

    public Task CreateBucketAsync(string bucket, CancellationToken ct) =>
        CallAsync(S3Operations.CreateBucket, bucket, async s =>
        {
            if (!IsValidBucketName(bucket))
            {
                throw s.Fail("InvalidBucketName", "The specified bucket is not valid.");
            }

            if (await s.ExistsAsync(SandboxKinds.S3Bucket, bucket))
            {
                throw s.Fail("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", HttpStatusCode.Conflict);
            }

            await s.PutAsync(SandboxKinds.S3Bucket, bucket, new BucketRecord(bucket, Region, BucketOwnerEnforced, true, true, true, true));
        }, ct);

    public Task<string?> GetObjectOwnershipAsync(string bucket, CancellationToken ct) =>
        CallAsync(S3Operations.GetBucketOwnershipControls, bucket, async s =>
            (await s.GetAsync<BucketRecord>(SandboxKinds.S3Bucket, bucket))?.ObjectOwnership, ct);

    public Task PutObjectOwnershipAsync(string bucket, string ownership, CancellationToken ct) =>
        CallAsync(S3Operations.PutBucketOwnershipControls, bucket, async s =>
        {
            var record = await RequireBucketAsync(s, bucket);
            if (!s_ownerships.Contains(ownership))
            {
                throw s.Fail("MalformedXML", $"ObjectOwnership must be one of {string.Join(", ", s_ownerships)}.");
            }

            await s.PutAsync(SandboxKinds.S3Bucket, bucket, record with { ObjectOwnership = ownership });
        }, ct);

    public Task<PublicAccessBlock?> GetPublicAccessBlockAsync(string bucket, CancellationToken ct) =>
        CallAsync(S3Operations.GetPublicAccessBlock, bucket, async s =>
            await s.GetAsync<BucketRecord>(SandboxKinds.S3Bucket, bucket) is { } b
                ? new PublicAccessBlock(b.BlockPublicAcls, b.IgnorePublicAcls, b.BlockPublicPolicy, b.RestrictPublicBuckets)
                : null, ct);

    public Task PutPublicAccessBlockAsync(string bucket, PublicAccessBlock block, CancellationToken ct) =>
        CallAsync(S3Operations.PutPublicAccessBlock, bucket, async s =>
        {
            var record = await RequireBucketAsync(s, bucket);
            await s.PutAsync(SandboxKinds.S3Bucket, bucket, record with
            {
                BlockPublicAcls = block.BlockPublicAcls,
                IgnorePublicAcls = block.IgnorePublicAcls,
                BlockPublicPolicy = block.BlockPublicPolicy,
                RestrictPublicBuckets = block.RestrictPublicBuckets,
            });
        }, ct);

    public Task<string?> GetBucketPolicyAsync(string bucket, CancellationToken ct) =>
        CallAsync(S3Operations.GetBucketPolicy, bucket, async s =>
            (await s.GetAsync<BucketPolicyRecord>(SandboxKinds.S3BucketPolicy, bucket))?.Policy, ct);

    public Task PutBucketPolicyAsync(string bucket, string policy, CancellationToken ct) =>
        CallAsync(S3Operations.PutBucketPolicy, bucket, async s =>
        {
            var record = await RequireBucketAsync(s, bucket);
            var document = SandboxIamGateway.ParsePolicy(policy) ?? throw s.Fail("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'");
            if (Statements(document).SelectMany(st => Values(st["Resource"])).FirstOrDefault(r => r != $"arn:aws:s3:::{bucket}" && !r.StartsWith($"arn:aws:s3:::{bucket}/", StringComparison.Ordinal)) is { } foreign)
            {
                throw s.Fail("MalformedPolicy", $"Policy has invalid resource: {foreign}.");
            }

            if (record.BlockPublicPolicy && IsPublic(document))
            {
                throw s.Fail("AccessDenied", "User is not authorized to perform s3:PutBucketPolicy because public policies are blocked by the BlockPublicPolicy block public access setting.", HttpStatusCode.Forbidden);
            }

            await s.PutAsync(SandboxKinds.S3BucketPolicy, bucket, new BucketPolicyRecord(policy));
        }, ct);

    public Task<S3ObjectInfo?> GetObjectInfoAsync(string bucket, string key, CancellationToken ct) =>
        CallAsync(S3Operations.HeadObject, $"{bucket}/{key}", async s =>
            await s.GetAsync<S3ObjectRecord>(SandboxKinds.S3Object, $"{bucket}/{key}") is { } o ? new S3ObjectInfo(o.ContentType, o.Sha256) : null, ct);

    public Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct) =>
        CallAsync(S3Operations.PutObject, $"{bucket}/{key}", async s =>
        {
            await RequireBucketAsync(s, bucket);
            if (key.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(key) > 1024)
            {
                throw s.Fail("KeyTooLongError", "Your key is too long.");
            }

            var sha256 = Convert.ToHexStringLower(SHA256.HashData(content.Span));
            await s.PutAsync(SandboxKinds.S3Object, $"{bucket}/{key}",
                new S3ObjectRecord(string.IsNullOrEmpty(contentType) ? "binary/octet-stream" : contentType, sha256, content.Length));
        }, ct);

    /// <summary>S3's general-purpose bucket naming rules.</summary>
    internal static bool IsValidBucketName(string name) =>
        name.Length is >= 3 and <= 63 && BucketNamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal)
        && !(IPAddress.TryParse(name, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork)
        && !s_reservedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) && !s_reservedSuffixes.Any(p => name.EndsWith(p, StringComparison.Ordinal));

    private static Task<BucketRecord> RequireBucketAsync(SandboxSession s, string bucket) =>
        s.RequireAsync<BucketRecord>(SandboxKinds.S3Bucket, bucket, "NoSuchBucket", "The specified bucket does not exist.", HttpStatusCode.NotFound);

    /// <summary>Public as S3 judges it (simplified): an Allow to every principal with no condition.</summary>
    private static bool IsPublic(JsonObject policy) =>
        Statements(policy).Any(st => st["Effect"]?.ToString() == "Allow" && st["Condition"] is null && IsEveryone(st["Principal"]));

    /// <summary>A policy principal that stands for anyone: <c>"*"</c> or <c>{"AWS": "*"}</c>.</summary>
    internal static bool IsEveryone(JsonNode? principal) => principal switch
    {
        JsonValue value => value.ToString() == "*",
        JsonObject named => Values(named["AWS"]).Contains("*"),
        _ => false,
    };

    internal static IEnumerable<JsonObject> Statements(JsonObject policy) =>
        policy["Statement"] switch
        {
            JsonArray list => list.OfType<JsonObject>(),
            JsonObject single => [single],
            _ => [],
        };

    internal static IEnumerable<string> Values(JsonNode? node) =>
        node switch
        {
            JsonArray list => list.Select(n => n?.ToString() ?? ""),
            JsonValue value => [value.ToString()],
            _ => [],
        };

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]*[a-z0-9]\z")]
    private static partial Regex BucketNamePattern();
}

internal sealed record BucketRecord(string Name, string Region, string ObjectOwnership, bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets);

internal sealed record BucketPolicyRecord(string Policy);

internal sealed record S3ObjectRecord(string ContentType, string Sha256, long Size);
