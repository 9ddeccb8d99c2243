using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Web.Api;

namespace SplitCcp.Tests.Core.Tenants;

/// <summary>The rules that depend on the tenant: its region's partition, its Identity Center region, its emulator endpoint.</summary>
public sealed class TenantSpecRulesTests
{
    private static readonly SpecTarget s_london = new("eu-west-2");
    private static readonly SpecTarget s_emulated = new("eu-west-2", "http://localhost:4566");

    private static TenantSpec Spec()
    {
        var (spec, errors) = TenantSpecJson.Parse(SpecApiTests.CompleteSpec().ToJsonString());
        errors.ShouldBeEmpty();
        return spec!;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("eu-west-2")]
    [InlineData("us-east-1")]
    [InlineData("eu-west-1")]
    [InlineData("ap-southeast-7")]
    public void IdentityCenterRegion_EmptyOrWhereIdentityCenterRunsInThePartition_IsAccepted(string? region) =>
        TenantSpecRules.IdentityCenterRegion(region, "eu-west-2").ShouldBeNull();

    [Theory]
    [InlineData("us-gov-west-1")]
    [InlineData("cn-north-1")]
    [InlineData("us-east-9")]
    [InlineData("US-EAST-1")]
    public void IdentityCenterRegion_OutsideThePartitionOrUnknown_IsRefused(string region) =>
        TenantSpecRules.IdentityCenterRegion(region, "eu-west-2").ShouldBe(
            "Choose a region of AWS where IAM Identity Center runs: the one its metadata URL names (portal.sso.<region>…), or none for the tenant's region, eu-west-2.");

    [Theory]
    [InlineData("https://portal.sso.us-east-1.amazonaws.com/saml/metadata/MTIz")]
    [InlineData("https://portal.sso.eu-central-2.amazonaws.com/saml/metadata/MTIz")]
    [InlineData("https://portal.sso.us-gov-west-1.amazonaws.com/saml/metadata/MTIz")]
    public void MetadataUrl_IdentityCentersPortalInAnyOfItsRegions_IsAccepted(string url) =>
        TenantSpecRules.MetadataUrl(url, s_london).ShouldBeNull();

    [Theory]
    [InlineData("https://portal.sso.eu-west-2.amazonaws.com/start")]
    [InlineData("https://portal.sso.us-east-9.amazonaws.com/saml/metadata/MTIz")]
    [InlineData("https://signin.aws.amazon.com/saml/metadata/MTIz")]
    [InlineData("https://evil.amazonaws.com/saml/metadata/MTIz")]
    [InlineData("https://portal.sso.eu-west-2.amazonaws.com:8443/saml/metadata/MTIz")]
    [InlineData("http://localhost:4566/saml/metadata/MTIz")]
    public void MetadataUrl_AnyOtherHostOrPath_IsRefused(string url) =>
        TenantSpecRules.MetadataUrl(url, s_london).ShouldBe("Paste the IAM Identity Center SAML metadata URL: https://portal.sso.<region>.amazonaws.com/saml/metadata/….");

    [Fact]
    public void MetadataUrl_WithAnEmulatorEndpoint_IsTheEmulatorsAndOnlyThat()
    {
        TenantSpecRules.MetadataUrl("http://localhost:4566/saml/metadata/MTIz", s_emulated).ShouldBeNull();
        TenantSpecRules.MetadataUrl("https://portal.sso.eu-west-2.amazonaws.com/saml/metadata/MTIz", s_emulated)
            .ShouldBe("Paste the IAM Identity Center SAML metadata URL: http://localhost:4566/saml/metadata/….", "the gateway would not fetch it");
        TenantSpecRules.MetadataUrl("http://localhost:4567/saml/metadata/MTIz", s_emulated).ShouldNotBeNull();
    }

    [Fact]
    public void Validate_MetadataUrlOfAnotherRegionThanTheIdentityCenterRegion_IsAnErrorAtTheRegion()
    {
        var spec = Spec();
        spec.IdentityCenter.MetadataUrl = "https://portal.sso.us-east-1.amazonaws.com/saml/metadata/MTIz";

        Messages(TenantSpecRules.Validate(spec, s_london, SpecSection.IdentityCenter)).ShouldBe(
            ["identityCenter.region: The metadata URL is that of Identity Center in us-east-1, so that is its region: set the Identity Center region to us-east-1."]);
        spec.IdentityCenter.Region = "us-east-1";
        TenantSpecRules.Validate(spec, s_london).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_CloudFrontHostingInGovCloud_SaysAtTheModeThatItIsNotOffered()
    {
        var spec = Spec();
        spec.Hosting.Mode = HostingMode.CloudFront;

        Messages(TenantSpecRules.Validate(spec, new SpecTarget("us-gov-west-1"), SpecSection.Hosting))
            .ShouldBe(["hosting.mode: CloudFront is not offered in AWS GovCloud (US), where us-gov-west-1 is: serve the pages from the public bucket."]);
        TenantSpecRules.Validate(spec, s_london, SpecSection.Hosting).ShouldBeEmpty();
    }

    [Fact]
    public void Validate_ATenantInGovCloud_IsRefusedAtTheInstanceAliasWithThePartitionsReason()
    {
        var errors = TenantSpecRules.Validate(Spec(), new SpecTarget("us-gov-west-1"), SpecSection.Instance);

        Messages(errors).ShouldBe([$"connect.instanceAlias: {AwsPartitions.GovCloud.NotSupported}"]);
    }

    private static List<string> Messages(IReadOnlyDictionary<string, string[]> errors) =>
        [.. errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))];
}
