using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Resources;

/// <summary>
/// The bucket that holds the pages: ACLs off (BucketOwnerEnforced, as every bucket since April 2023) and Block Public
/// Access on, except the two policy settings when the pages are served from a public bucket.
/// </summary>
internal sealed class BucketResource() : Resource(ResourceKeys.Bucket, "S3 bucket for the CCP pages", SpecSection.Hosting, ResourceKeys.Account)
{
    public const string Ownership = "BucketOwnerEnforced";

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var bucket = ctx.Spec.Hosting.BucketName!;
        var s3 = ctx.Aws.S3;
        if (!await s3.BucketExistsAsync(bucket, ct))
        {
            return Observation.Missing(Fields(ctx, null, null));
        }

        return Observation.Present(Fields(ctx, await s3.GetObjectOwnershipAsync(bucket, ct), await s3.GetPublicAccessBlockAsync(bucket, ct) ?? new(false, false, false, false)));
    }

    public override async Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var bucket = ctx.Spec.Hosting.BucketName!;
        var s3 = ctx.Aws.S3;
        if (observed.State == ObservedState.Missing)
        {
            await s3.CreateBucketAsync(bucket, ct);
        }

        await s3.PutObjectOwnershipAsync(bucket, Ownership, ct);
        await s3.PutPublicAccessBlockAsync(bucket, Desired(ctx), ct);
    }

    /// <summary>A public bucket needs the bucket-policy settings off; an account-level block still wins and cannot be lifted from here.</summary>
    private static PublicAccessBlock Desired(ReconcileContext ctx) =>
        ctx.Spec.Hosting.Mode == HostingMode.PublicBucket ? new(true, true, false, false) : PublicAccessBlock.AllBlocked;

    private static FieldChange[] Fields(ReconcileContext ctx, string? ownership, PublicAccessBlock? actual)
    {
        var desired = Desired(ctx);
        static string? B(bool? value) => value is { } v ? Documents.Bool(v) : null;
        return
        [
            new("objectOwnership", Ownership, ownership),
            new("blockPublicAcls", B(desired.BlockPublicAcls), B(actual?.BlockPublicAcls)),
            new("ignorePublicAcls", B(desired.IgnorePublicAcls), B(actual?.IgnorePublicAcls)),
            new("blockPublicPolicy", B(desired.BlockPublicPolicy), B(actual?.BlockPublicPolicy)),
            new("restrictPublicBuckets", B(desired.RestrictPublicBuckets), B(actual?.RestrictPublicBuckets)),
        ];
    }
}

/// <summary>CloudFront's origin access control, which lets the distribution read the private bucket.</summary>
internal sealed class OriginAccessControlResource()
    : Resource(ResourceKeys.OriginAccessControl, "CloudFront origin access control", SpecSection.Hosting, ResourceKeys.Account)
{
    private const string Prefix = "splitccp-";

    /// <summary>The bucket's name, with the portal's prefix unless it has it already (the default bucket name does).</summary>
    public static string NameFor(ReconcileContext ctx) => Truncate(
        ctx.Spec.Hosting.BucketName!.StartsWith(Prefix, StringComparison.Ordinal) ? ctx.Spec.Hosting.BucketName : Prefix + ctx.Spec.Hosting.BucketName, 64);

    /// <summary>
    /// The name the portal gave before it checked for the prefix, splitccp-splitccp-… for a default bucket name. An origin
    /// access control made under it is found and kept: the name serves only to find it again, and the distribution uses it.
    /// </summary>
    private static string FormerNameFor(ReconcileContext ctx) => Truncate(Prefix + ctx.Spec.Hosting.BucketName, 64);

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var name = NameFor(ctx);
        var oac = await ctx.Aws.CloudFront.FindOriginAccessControlAsync(name, ct);
        if (oac is null && FormerNameFor(ctx) is var former && former != name)
        {
            oac = await ctx.Aws.CloudFront.FindOriginAccessControlAsync(former, ct);
        }

        var field = new FieldChange("name", oac?.Name ?? name, oac?.Name);
        if (oac is null)
        {
            return Observation.Missing(field);
        }

        ctx.Outputs[Key] = oac.Id;
        return Observation.Present(field);
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct) =>
        ctx.Aws.CloudFront.CreateOriginAccessControlAsync(NameFor(ctx), ct);

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}

/// <summary>
/// The CloudFront distribution that serves the private bucket over HTTPS. It is found again by its comment, which names
/// the bucket; its domain becomes the pages' origin unless the spec names a domain of its own.
/// </summary>
internal sealed class DistributionResource()
    : Resource(ResourceKeys.Distribution, "CloudFront distribution", SpecSection.Hosting, ResourceKeys.Bucket, ResourceKeys.OriginAccessControl)
{
    public static string CommentFor(ReconcileContext ctx) => $"SplitCcp CCP pages: {ctx.Spec.Hosting.BucketName}";

    public static string OriginDomain(ReconcileContext ctx) => $"{ctx.Spec.Hosting.BucketName}{SetupValues.BucketHostSuffix(ctx.Tenant.Region)}";

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        // The origin access control was observed just before (it is a dependency): no second listing.
        var oacId = ctx.Outputs.GetValueOrDefault(ResourceKeys.OriginAccessControl);
        var distribution = await ctx.Aws.CloudFront.FindDistributionByCommentAsync(CommentFor(ctx), ct);
        FieldChange[] Fields(CloudFrontDistribution? actual) =>
        [
            new("originDomainName", OriginDomain(ctx), actual?.OriginDomainName),
            new("originAccessControlId", oacId ?? "(the origin access control)", actual?.OriginAccessControlId),
            new("enabled", "true", actual is null ? null : Documents.Bool(actual.Enabled)),
        ];
        if (distribution is null)
        {
            return Observation.Missing(Fields(null));
        }

        // A blank domain in the setup (a cleared field) is as unknown as a missing one: the distribution's own domain serves.
        if (string.IsNullOrWhiteSpace(ctx.Spec.Hosting.CloudFrontDomain))
        {
            ctx.Learn(s => s.Hosting.CloudFrontDomain = distribution.DomainName);
        }
        ctx.Outputs[Key] = distribution.Arn;
        var observation = Observation.Present(Fields(distribution));

        // CloudFront has no update here: a distribution changed outside the portal is put right in the console.
        return observation.InSync ? observation : observation with
        {
            State = ObservedState.Blocked,
            Reason = $"Distribution {distribution.Id} was changed outside the portal ({string.Join(", ", observation.Differences.Select(d => $"{d.Field} is {d.Actual ?? "missing"}, expected {d.Expected}"))}). Restore it in the CloudFront console.",
        };
    }

    public override async Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var oacId = ctx.Outputs.GetValueOrDefault(ResourceKeys.OriginAccessControl)
            ?? throw new InvalidOperationException("The origin access control is not known yet, so the distribution cannot use it. Apply again.");

        // The caller reference is derived from the tenant and bucket, so a create retried after a crash is the same request.
        var reference = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ctx.Tenant.Id}/{ctx.Spec.Hosting.BucketName}")))[..32];
        await ctx.Aws.CloudFront.CreateDistributionAsync(reference, CommentFor(ctx), OriginDomain(ctx), oacId, ct);
    }
}

/// <summary>The bucket policy: read access for the distribution only (CloudFront mode) or for everyone (public bucket mode).</summary>
internal sealed class BucketPolicyResource(bool cloudFront)
    : Resource(ResourceKeys.BucketPolicy, "S3 bucket policy", SpecSection.Hosting, cloudFront ? [ResourceKeys.Bucket, ResourceKeys.Distribution] : [ResourceKeys.Bucket])
{
    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var bucket = ctx.Spec.Hosting.BucketName!;
        var expected = Documents.NormalizeJson(Document(ctx));
        var actual = await ctx.Aws.S3.GetBucketPolicyAsync(bucket, ct);
        var field = new FieldChange("policy", expected, Documents.NormalizeJson(actual));
        return actual is null ? Observation.Missing(field) : Observation.Present(field);
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct) =>
        ctx.Aws.S3.PutBucketPolicyAsync(ctx.Spec.Hosting.BucketName!, Document(ctx), ct);

    private string Document(ReconcileContext ctx)
    {
        var objects = $"arn:{ctx.Values.Partition}:s3:::{ctx.Spec.Hosting.BucketName}/*";
        var statement = new JsonObject
        {
            ["Sid"] = cloudFront ? "SplitCcpCloudFrontRead" : "SplitCcpPublicRead",
            ["Effect"] = "Allow",
            ["Principal"] = cloudFront ? new JsonObject { ["Service"] = "cloudfront.amazonaws.com" } : JsonValue.Create("*"),
            ["Action"] = "s3:GetObject",
            ["Resource"] = objects,
        };
        if (cloudFront)
        {
            statement["Condition"] = new JsonObject
            {
                ["StringEquals"] = new JsonObject { ["AWS:SourceArn"] = ctx.Outputs.GetValueOrDefault(ResourceKeys.Distribution, "(the distribution's ARN)") },
            };
        }

        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(statement) }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}

/// <summary>One file served to agents: a generated CCP page or the bundled connect-streams library.</summary>
internal sealed class CcpObjectResource(string fileName)
    : Resource(ResourceKeys.CcpObject(fileName), fileName, SpecSection.CcpPages, ResourceKeys.Bucket)
{
    public override string Noun => Title;

    public override string? MissingFromSetup(ReconcileContext ctx) =>
        Title != SetupValues.ConnectStreamsName && ctx.Values.LoginUrl is null
            ? "The page signs agents in through the Identity Center application's start URL: do the application's console step, then copy its start URL into the setup's Identity Center step."
            : null;

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        PublishedFile file;
        try
        {
            file = PublishedFile.For(ctx, Title);
        }
        catch (InvalidOperationException ex)
        {
            return Observation.Blocked(ex.Message);
        }

        var bucket = ctx.Spec.Hosting.BucketName!;
        var info = await ctx.Aws.S3.GetObjectInfoAsync(bucket, Title, ct);
        FieldChange[] fields =
        [
            new("contentType", file.ContentType, info?.ContentType),
            new("sha256", file.Sha256, info?.Sha256),
        ];
        return info is null ? Observation.Missing(fields) : Observation.Present(fields);
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var file = PublishedFile.For(ctx, Title);
        return ctx.Aws.S3.PutObjectAsync(ctx.Spec.Hosting.BucketName!, Title, file.Content, file.ContentType, ct);
    }
}

/// <summary>
/// A file as the portal publishes it, from the effective spec: what the bucket must hold, and what agents must get from
/// the pages' address (the synthetic checks compare against the same bytes).
/// </summary>
internal sealed record PublishedFile(ReadOnlyMemory<byte> Content, string ContentType, string? KnownSha256 = null)
{
    public const string HtmlContentType = "text/html; charset=utf-8";
    public const string JavaScriptContentType = "text/javascript; charset=utf-8";

    /// <summary>SHA-256 of <see cref="Content"/>, lowercase hex, as the S3 gateway reports an object's.</summary>
    public string Sha256 { get; } = KnownSha256 ?? Convert.ToHexStringLower(SHA256.HashData(Content.Span));

    /// <summary>The file, made once per check (<see cref="ReconcileContext.Made"/>).</summary>
    /// <exception cref="InvalidOperationException">A page cannot be generated yet: the setup lacks a value it needs.</exception>
    public static PublishedFile For(ReconcileContext ctx, string name) => name switch
    {
        SetupValues.AudioOnlyPageName => ctx.Made(name, () => new PublishedFile(Encoding.UTF8.GetBytes(ctx.Pages.AudioOnlyPage(ctx.Values, ctx.Spec.CcpPages)), HtmlContentType)),
        SetupValues.InSessionPageName => ctx.Made(name, () => new PublishedFile(Encoding.UTF8.GetBytes(ctx.Pages.InSessionPage(ctx.Values, ctx.Spec.CcpPages)), HtmlContentType)),
        // The library's hash is worked out once for the process: it is 730 KB, and every tenant's check compares it.
        _ => new(ctx.Streams.Content, JavaScriptContentType, ctx.Streams.Sha256),
    };
}
