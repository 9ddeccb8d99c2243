using System.Text.RegularExpressions;

namespace SplitCcp.Core.Tenants;

/// <summary>A global service's one endpoint in a partition and the region its requests are signed for.</summary>
public sealed record GlobalEndpoint(string Host, string SigningRegion);

/// <summary>
/// An AWS partition as the portal uses it: the regions where a split CCP can run there (Amazon Connect and AppStream 2.0
/// both), the regions IAM Identity Center runs in, its global endpoints and its sign-in and console hosts.
/// </summary>
public sealed record AwsPartition
{
    /// <summary>The partition in ARNs: aws, aws-us-gov.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>What regional endpoints end with: <c>{service}.{region}.{DnsSuffix}</c>.</summary>
    public required string DnsSuffix { get; init; }

    /// <summary>Which region codes belong to the partition, as botocore's regionRegex says.</summary>
    public required Regex RegionPattern { get; init; }

    /// <summary>The regions where Amazon Connect and AppStream 2.0 both run, in code order: the ones a tenant may choose.</summary>
    public required IReadOnlyList<string> Regions { get; init; }

    /// <summary>The regions where IAM Identity Center (SSO Admin and the Identity Store) runs, in code order.</summary>
    public required IReadOnlyList<string> IdentityCenterRegions { get; init; }

    public required GlobalEndpoint Iam { get; init; }

    /// <summary>Null where CloudFront is not offered.</summary>
    public GlobalEndpoint? CloudFront { get; init; }

    /// <summary>Where AWS's sign-in takes SAML assertions: the Identity Center application's ACS URL, and the federation role's SAML:aud.</summary>
    public required string SamlSignInUrl { get; init; }

    /// <summary>The Identity Center application's SAML audience.</summary>
    public required string SamlAudience { get; init; }

    /// <summary>The AWS console's host; a region's console is <c>{region}.{ConsoleHost}</c>.</summary>
    public required string ConsoleHost { get; init; }

    /// <summary>Why a split CCP cannot be set up in this partition yet; null where it can.</summary>
    public string? NotSupported { get; init; }

    public bool Claims(string region) => RegionPattern.IsMatch(region);

    /// <summary>The global endpoint of a service whose endpoint prefix is <paramref name="endpointPrefix"/>; null for a regional service, or one the partition lacks.</summary>
    public GlobalEndpoint? GlobalEndpointOf(string endpointPrefix) => endpointPrefix switch
    {
        "iam" => Iam,
        "cloudfront" => CloudFront,
        _ => null,
    };
}

/// <summary>
/// The partitions where Amazon Connect and AppStream 2.0 both run, from botocore's <c>data/endpoints.json</c> (the tests
/// compare this table with it): China and the ISO partitions have no Amazon Connect, so they are not here.
/// </summary>
public static partial class AwsPartitions
{
    public static AwsPartition Commercial { get; } = new()
    {
        Id = "aws",
        Name = "AWS",
        DnsSuffix = "amazonaws.com",
        RegionPattern = CommercialRegion(),
        Regions = ["ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-2", "us-east-1", "us-west-2"],
        IdentityCenterRegions =
        [
            "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
            "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
            "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
            "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
            "us-west-2",
        ],
        Iam = new("iam.amazonaws.com", "us-east-1"),
        CloudFront = new("cloudfront.amazonaws.com", "us-east-1"),
        SamlSignInUrl = "https://signin.aws.amazon.com/saml",
        SamlAudience = "urn:amazon:webservices",
        ConsoleHost = "console.aws.amazon.com",
    };

    /// <summary>
    /// AWS GovCloud (US): IAM is iam.us-gov.amazonaws.com signed for us-gov-west-1, and there is no CloudFront. Refused
    /// for now: the address agents open the CCP at and the relay state that signs them in to it are not the commercial
    /// ones there, and the portal does not build values it cannot confirm.
    /// </summary>
    public static AwsPartition GovCloud { get; } = new()
    {
        Id = "aws-us-gov",
        Name = "AWS GovCloud (US)",
        DnsSuffix = "amazonaws.com",
        RegionPattern = GovCloudRegion(),
        Regions = ["us-gov-west-1"],
        IdentityCenterRegions = ["us-gov-east-1", "us-gov-west-1"],
        Iam = new("iam.us-gov.amazonaws.com", "us-gov-west-1"),
        SamlSignInUrl = "https://signin.amazonaws-us-gov.com/saml",
        SamlAudience = "urn:amazon:webservices:govcloud",
        ConsoleHost = "console.amazonaws-us-gov.com",
        NotSupported = "The portal cannot set up a split CCP in AWS GovCloud (US) yet: the Amazon Connect CCP address and sign-in relay state "
            + "there are not ones it can confirm. Choose a region of the AWS partition.",
    };

    public static IReadOnlyList<AwsPartition> All { get; } = [Commercial, GovCloud];

    /// <summary>The partition of a region code; null for a code none of them claims (China's, the ISO partitions', a typo).</summary>
    public static AwsPartition? Of(string? region) =>
        region is null ? null : All.FirstOrDefault(p => p.Claims(region));

    /// <summary>
    /// The partition to build a tenant's endpoints and ARNs in. A region none claims can only be a tenant's stored before
    /// the region rule refused such regions; it is treated as commercial, as it always was.
    /// </summary>
    public static AwsPartition For(string region) => Of(region) ?? Commercial;

    [GeneratedRegex(@"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex CommercialRegion();

    [GeneratedRegex(@"^us\-gov\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex GovCloudRegion();
}
