using Bunit;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Web.Components.Wizard;

namespace SplitCcp.Tests.Components.Wizard;

public sealed class ReviewStepTests
{
    [Fact]
    public async Task Render_ValidSpec_SaysEveryValueIsValid()
    {
        await using var ctx = MudTestContext.Create();

        var cut = RenderReview(ctx, WizardSteps.ValidSpec());

        cut.Find("[data-testid=review-ok]").TextContent.Trim().ShouldBe("Every value is valid.");
        cut.FindAll("[data-testid=review-errors]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Render_InvalidSpec_ListsEveryErrorWithItsPath()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.AwsAccountId = "12345";
        spec.Connect.InstanceAlias = "d-123";
        spec.IdentityCenter.StartUrl = "javascript:alert(1)";
        spec.Iam.FederationRoleName = new string('r', 65);
        spec.Hosting.BucketName = "My.Bucket";
        spec.CcpPages.CcpLoadTimeoutMs = 0;
        spec.AppStream.Fleet.DesiredCapacity = 0;
        spec.AppStream.ImageBuilder.SubnetIds.Add("subnet-xyz");

        var cut = RenderReview(ctx, spec);

        cut.FindAll("[data-testid=review-ok]").ShouldBeEmpty();
        var lines = cut.FindAll("[data-testid=review-errors] li").Select(li => li.TextContent.Trim()).ToList();
        lines.ShouldBe(
        [
            $"awsAccountId: {TenantSpecRules.AwsAccountId("12345")}",
            $"connect.instanceAlias: {TenantSpecRules.ConnectInstanceAlias("d-123")}",
            $"identityCenter.startUrl: {TenantSpecRules.StartUrl("javascript:alert(1)")}",
            $"iam.federationRoleName: {TenantSpecRules.IamRoleName(spec.Iam.FederationRoleName)}",
            $"hosting.bucketName: {TenantSpecRules.BucketName("My.Bucket")}",
            $"ccpPages.ccpLoadTimeoutMs: {TenantSpecRules.TimeoutMs(0, 1000, 120_000)}",
            $"appStream.imageBuilder.subnetIds[0]: {TenantSpecRules.SubnetId("subnet-xyz")}",
            $"appStream.fleet.desiredCapacity: {TenantSpecRules.DesiredCapacity(0)}",
        ], ignoreOrder: true);
        lines.Count.ShouldBe(TenantSpecRules.Validate(spec, SpecTarget.Of(WizardSteps.Tenant())).Count);
    }

    [Fact]
    public async Task Render_ValidSpec_ShowsTheDerivedValues()
    {
        await using var ctx = MudTestContext.Create();

        var cut = RenderReview(ctx, WizardSteps.ValidSpec());

        var table = cut.Find("[data-testid=review-table]").TextContent;
        table.ShouldContain("123456789012 · eu-west-2");
        table.ShouldContain("use spec-co bae1b13e-6e52-4e0b-9e13-769c27a1b2c3");
        table.ShouldContain("agent@spec.example");
        table.ShouldContain("https://eu-west-2.console.aws.amazon.com/connect/federate/bae1b13e-6e52-4e0b-9e13-769c27a1b2c3?destination=%2Fconnect%2Fccp-v2");
        table.ShouldContain("arn:aws:iam::123456789012:saml-provider/SplitCcp-spec-co-IdentityCenter");
        table.ShouldContain("arn:aws:iam::123456789012:role/SplitCcp-spec-co-Agent");
        table.ShouldContain("splitccp-spec-co-abc123 · public bucket");
        table.ShouldContain("https://splitccp-spec-co-abc123.s3.eu-west-2.amazonaws.com/AudioOnly.html");
        table.ShouldContain("splitccp-spec-co-fleet × 2");
    }

    [Fact]
    public async Task Render_IdentityCenterRegion_IsTheOneSetOrSaysItIsTheTenants()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();

        RenderReview(ctx, spec).Find("[data-testid=review-idc-region]").TextContent.ShouldBe("eu-west-2 (the tenant's)");
        spec.IdentityCenter.Region = "us-east-1";
        spec.IdentityCenter.MetadataUrl = "https://portal.sso.us-east-1.amazonaws.com/saml/metadata/MTIz";
        var cut = RenderReview(ctx, spec);
        cut.Find("[data-testid=review-idc-region]").TextContent.ShouldBe("us-east-1");
        cut.Find("[data-testid=review-ok]").TextContent.Trim().ShouldBe("Every value is valid.");
    }

    [Fact]
    public async Task Render_MetadataUrlOfAnotherRegionThanTheOneSet_IsNotCalledValid()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.MetadataUrl = "https://portal.sso.us-east-1.amazonaws.com/saml/metadata/MTIz";

        var cut = RenderReview(ctx, spec);

        cut.FindAll("[data-testid=review-ok]").ShouldBeEmpty();
        cut.FindAll("[data-testid=review-errors] li").Select(li => li.TextContent.Trim()).ShouldBe(
            ["identityCenter.region: The metadata URL is that of Identity Center in us-east-1, so that is its region: set the Identity Center region to us-east-1."]);
    }

    [Fact]
    public async Task Render_HostileValues_RendersThemAsText()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.Agents[0].Email = WizardSteps.Hostile;
        spec.Connect.InstanceAlias = WizardSteps.Hostile;

        var cut = RenderReview(ctx, spec);

        cut.FindAll("img").ShouldBeEmpty();
        cut.Markup.ShouldContain("&lt;img src=x onerror=alert(1)&gt;");
        cut.Markup.ShouldNotContain("<img src=x");
        cut.Find("[data-testid=review-table]").TextContent.ShouldContain(WizardSteps.Hostile);
    }

    private static IRenderedComponent<ReviewStep> RenderReview(BunitContext ctx, TenantSpec spec) =>
        ctx.Render<ReviewStep>(p => p.Add(r => r.Spec, spec).Add(r => r.Tenant, WizardSteps.Tenant()));
}
