using System.Text.Json.Nodes;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Web.Api;

namespace SplitCcp.Tests.Core.Tenants;

public sealed class SetupValuesTests
{
    private static TenantSpec Spec()
    {
        var (spec, errors) = TenantSpecJson.Parse(SpecApiTests.CompleteSpec().ToJsonString());
        errors.ShouldBeEmpty();
        return spec!;
    }

    [Fact]
    public void For_ACommercialRegion_BuildsAwsArnsConsoleAndSignInValues()
    {
        var values = SetupValues.For("eu-west-2", Spec());

        values.Partition.ShouldBe("aws");
        values.SamlProviderArn.ShouldBe("arn:aws:iam::123456789012:saml-provider/SplitCcp-spec-co-IdentityCenter");
        values.ConnectInstanceArn.ShouldBe("arn:aws:connect:eu-west-2:123456789012:instance/bae1b13e-6e52-4e0b-9e13-769c27a1b2c3");
        values.RelayState.ShouldBe("https://eu-west-2.console.aws.amazon.com/connect/federate/bae1b13e-6e52-4e0b-9e13-769c27a1b2c3?destination=%2Fconnect%2Fccp-v2");
        (values.AcsUrl, values.Audience).ShouldBe(("https://signin.aws.amazon.com/saml", "urn:amazon:webservices"));
        values.CcpUrl.ShouldBe("https://spec-co.my.connect.aws/ccp-v2/");
    }

    [Fact]
    public void For_GovCloud_BuildsItsArnsAndSignIn_AndNoConnectAddressItCannotConfirm()
    {
        var values = SetupValues.For("us-gov-west-1", Spec());

        values.Partition.ShouldBe("aws-us-gov");
        values.FederationRoleArn.ShouldBe("arn:aws-us-gov:iam::123456789012:role/SplitCcp-spec-co-Agent");
        values.ConnectInstanceArn.ShouldBe("arn:aws-us-gov:connect:us-gov-west-1:123456789012:instance/bae1b13e-6e52-4e0b-9e13-769c27a1b2c3");
        (values.AcsUrl, values.Audience).ShouldBe(("https://signin.amazonaws-us-gov.com/saml", "urn:amazon:webservices:govcloud"));
        (values.ConnectInstanceUrl, values.CcpUrl, values.RelayState).ShouldBe((null, null, null));
        JsonNode.Parse(FederationDocuments.TrustPolicy(values))!["Statement"]![0]!["Condition"]!["StringEquals"]!["SAML:aud"]!.GetValue<string>()
            .ShouldBe("https://signin.amazonaws-us-gov.com/saml");
    }

    [Fact]
    public void IdentityCenterRegion_IsTheSpecs_OrTheTenantsWhenItNamesNone()
    {
        var spec = Spec();
        spec.IdentityCenter.Region.ShouldBeNull("the API's complete spec names none");

        SetupValues.For("eu-west-2", spec).IdentityCenterRegion.ShouldBe("eu-west-2");
        spec.IdentityCenter.Region = "us-east-1";
        SetupValues.For("eu-west-2", spec).IdentityCenterRegion.ShouldBe("us-east-1");
        spec.IdentityCenter.Region = "us-gov-east-1";
        SetupValues.For("eu-west-2", spec).IdentityCenterRegion.ShouldBe("eu-west-2", "a region the rule refuses never reaches a call");
    }

    [Fact]
    public void AStoredSpecWrittenBeforeTheIdentityCenterRegion_IsReadAndMeansTheTenantsRegion()
    {
        var stored = SpecApiTests.CompleteSpec();
        stored["identityCenter"]!.AsObject().Remove("region");

        var (spec, errors) = TenantSpecJson.Parse(stored.ToJsonString());

        errors.ShouldBeEmpty();
        spec!.IdentityCenter.Region.ShouldBeNull();
        SetupValues.For("ap-southeast-2", spec).IdentityCenterRegion.ShouldBe("ap-southeast-2");
        TenantSpecRules.Validate(spec, new SpecTarget("eu-west-2")).ShouldBeEmpty();
    }

    [Fact]
    public void BucketHostSuffix_IsThePartitions()
    {
        SetupValues.BucketHostSuffix("eu-west-2").ShouldBe(".s3.eu-west-2.amazonaws.com");
        SetupValues.BucketHostSuffix("us-gov-west-1").ShouldBe(".s3.us-gov-west-1.amazonaws.com");
        SetupValues.BucketOfHost("pages.s3.eu-west-2.amazonaws.com", "eu-west-2").ShouldBe("pages");
    }
}
