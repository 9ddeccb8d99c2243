namespace SplitCcp.Core.Tenants.Spec;

/// <summary>A SAML attribute mapping the operator enters in the Identity Center console.</summary>
public sealed record SamlAttributeMapping(string Attribute, string Value, string Format);

/// <summary>
/// Every value the setup derives from a tenant's region and spec, in the region's partition: URLs, ARNs, origins, and the
/// console-only settings. Null where the spec does not hold enough yet (an unknown alias, account or CloudFront domain),
/// or where the partition's value is not one the portal can confirm (<see cref="AwsPartition.NotSupported"/>).
/// </summary>
public sealed record SetupValues
{
    public const string AudioOnlyPageName = "AudioOnly.html";
    public const string InSessionPageName = "InSession.html";
    public const string ConnectStreamsName = "connect-streams.js";

    public required string Region { get; init; }

    /// <summary>The partition in ARNs: aws or aws-us-gov.</summary>
    public required string Partition { get; init; }

    /// <summary>Where Identity Center lives: the spec's Identity Center region, or the tenant's when it names none.</summary>
    public required string IdentityCenterRegion { get; init; }

    /// <summary>The Identity Center application's ACS URL: where the partition's AWS sign-in takes SAML assertions; also the federation role's SAML:aud.</summary>
    public required string AcsUrl { get; init; }

    /// <summary>The Identity Center application's SAML audience in the partition.</summary>
    public required string Audience { get; init; }

    /// <summary>The Connect instance's ARN, once the account and instance ID are known.</summary>
    public string? ConnectInstanceArn { get; init; }

    /// <summary>https://&lt;alias&gt;.my.connect.aws: the Connect instance's origin, where the CCP frame comes from.</summary>
    public string? ConnectInstanceUrl { get; init; }

    /// <summary>The CCP both pages frame: &lt;instance&gt;/ccp-v2/.</summary>
    public string? CcpUrl { get; init; }

    /// <summary>The Identity Center application's relay state: signs the agent in to the Connect CCP.</summary>
    public string? RelayState { get; init; }

    public string? SamlProviderArn { get; init; }

    public string? FederationRoleArn { get; init; }

    public string? FederationPolicyArn { get; init; }

    /// <summary>Origin (scheme and host) the pages are served from; the Connect approved origin. Null until known (CloudFront before its domain exists).</summary>
    public string? HostingOrigin { get; init; }

    public string? AudioOnlyUrl { get; init; }

    public string? InSessionUrl { get; init; }

    /// <summary>The CCP's loginUrl: the application's start URL in the AWS access portal.</summary>
    public string? LoginUrl { get; init; }

    /// <summary>The three attribute mappings of the Identity Center application, with the real ARNs once they are known.</summary>
    public IReadOnlyList<SamlAttributeMapping> AttributeMappings { get; init; } = [];

    public static SetupValues For(string region, TenantSpec spec)
    {
        var aws = AwsPartitions.For(region);
        var partition = aws.Id;

        // Where the partition's Connect addresses are not ones the portal can confirm, it builds none rather than guess.
        var connectKnown = aws.NotSupported is null;
        var alias = connectKnown ? Known(spec.Connect.InstanceAlias, TenantSpecRules.ConnectInstanceAlias) : null;
        var instanceId = Known(spec.Connect.InstanceId, TenantSpecRules.ConnectInstanceId);
        var account = Known(spec.AwsAccountId, TenantSpecRules.AwsAccountId);
        var instanceUrl = alias is null ? null : $"https://{alias.ToLowerInvariant()}.my.connect.aws";

        string? IamArn(string kind, string? name, Func<string?, string?> rule) =>
            account is null || Known(name, rule) is not { } valid ? null : $"arn:{partition}:iam::{account}:{kind}/{valid}";

        var providerArn = IamArn("saml-provider", spec.Iam.SamlProviderName, TenantSpecRules.SamlProviderName);
        var roleArn = IamArn("role", spec.Iam.FederationRoleName, TenantSpecRules.IamRoleName);
        var origin = HostingOriginFor(region, spec.Hosting);
        return new SetupValues
        {
            Region = region,
            Partition = partition,
            IdentityCenterRegion = Known(spec.IdentityCenter.Region, value => TenantSpecRules.IdentityCenterRegion(value, region)) ?? region,
            AcsUrl = aws.SamlSignInUrl,
            Audience = aws.SamlAudience,
            ConnectInstanceArn = account is null || instanceId is null ? null : $"arn:{partition}:connect:{region}:{account}:instance/{instanceId}",
            ConnectInstanceUrl = instanceUrl,
            CcpUrl = instanceUrl is null ? null : $"{instanceUrl}/ccp-v2/",
            RelayState = instanceId is null || !connectKnown ? null
                : $"https://{region}.{aws.ConsoleHost}/connect/federate/{instanceId}?destination=%2Fconnect%2Fccp-v2",
            SamlProviderArn = providerArn,
            FederationRoleArn = roleArn,
            FederationPolicyArn = IamArn("policy", spec.Iam.FederationPolicyName, TenantSpecRules.IamPolicyName),
            HostingOrigin = origin,
            AudioOnlyUrl = origin is null ? null : $"{origin}/{AudioOnlyPageName}",
            InSessionUrl = origin is null ? null : $"{origin}/{InSessionPageName}",
            LoginUrl = Known(spec.IdentityCenter.StartUrl, TenantSpecRules.StartUrl),
            AttributeMappings =
            [
                new("Subject", "${user:email}", "persistent"),
                new("https://aws.amazon.com/SAML/Attributes/RoleSessionName", "${user:email}", "unspecified"),
                new("https://aws.amazon.com/SAML/Attributes/Role",
                    roleArn is null || providerArn is null ? "<federation role ARN>,<SAML provider ARN>" : $"{roleArn},{providerArn}",
                    "unspecified"),
            ],
        };
    }

    private static string? HostingOriginFor(string region, HostingSpec hosting)
    {
        if (hosting.Mode == HostingMode.CloudFront)
        {
            return Known(hosting.CloudFrontDomain, TenantSpecRules.CloudFrontDomain) is { Length: > 0 } domain ? $"https://{domain}" : null;
        }

        // The bucket's virtual-hosted HTTPS address: S3 website endpoints are HTTP only, and the microphone needs HTTPS.
        return Known(hosting.BucketName, TenantSpecRules.BucketName) is { } bucket ? $"https://{bucket}{BucketHostSuffix(region)}" : null;
    }

    /// <summary>What follows the bucket's name in its virtual-hosted S3 host name: <c>.s3.&lt;region&gt;.&lt;partition's DNS suffix&gt;</c>.</summary>
    public static string BucketHostSuffix(string region) => $".s3.{region}.{AwsPartitions.For(region).DnsSuffix}";

    /// <summary>The bucket a virtual-hosted S3 host name of the region names; null for any other host.</summary>
    public static string? BucketOfHost(string host, string region)
    {
        var suffix = BucketHostSuffix(region);
        host = host.ToLowerInvariant();
        return host.EndsWith(suffix, StringComparison.Ordinal) && host.Length > suffix.Length ? host[..^suffix.Length] : null;
    }

    /// <summary>The value if it passes its rule, else null: nothing unvalidated reaches a URL or an ARN.</summary>
    private static string? Known(string? value, Func<string?, string?> rule) =>
        !string.IsNullOrWhiteSpace(value) && rule(value) is null ? value : null;
}
