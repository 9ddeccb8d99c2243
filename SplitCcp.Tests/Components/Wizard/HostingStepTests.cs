using Bunit;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Web.Components.Wizard;

namespace SplitCcp.Tests.Components.Wizard;

public sealed class HostingStepTests
{
    private const string PublicOrigin = "https://splitccp-spec-co-abc123.s3.eu-west-2.amazonaws.com";

    [Fact]
    public async Task ValidateAsync_ValidSpec_ReturnsTrueWithoutErrors()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<HostingStep>(WizardSteps.ValidSpec());

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.ShownErrors().ShouldBeEmpty();
        cut.FindAll("[aria-invalid=true]").ShouldBeEmpty();
    }

    [Fact]
    public async Task ValidateAsync_CloudFrontInGovCloud_SaysAtTheModeItIsNotOffered_AndOffersOnlyThePublicBucket()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.Mode = HostingMode.CloudFront;
        var cut = ctx.RenderStep<HostingStep>(spec, WizardSteps.Tenant() with { Region = "us-gov-west-1" });

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.Find("[data-testid=hosting-mode-error]").TextContent.Trim()
            .ShouldBe("CloudFront is not offered in AWS GovCloud (US), where us-gov-west-1 is: serve the pages from the public bucket.");
        cut.FindAll("input[type=radio]").Select(r => r.HasAttribute("disabled")).ShouldBe([true, false]);
    }

    [Fact]
    public async Task Render_CommercialRegion_OffersCloudFrontWithoutAnError()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.Mode = HostingMode.CloudFront;
        var cut = ctx.RenderStep<HostingStep>(spec);

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.FindAll("[data-testid=hosting-mode-error]").ShouldBeEmpty();
        cut.FindAll("input[type=radio]").ShouldAllBe(r => !r.HasAttribute("disabled"));
    }

    [Theory]
    [InlineData("My.Bucket", "Leave dots out: a bucket name with dots cannot be served over HTTPS by its S3 address, and the CCP needs HTTPS.")]
    [InlineData("xn--abc", "S3 reserves this prefix or suffix; choose another name.")]
    [InlineData("splitccp-s3alias", "S3 reserves this prefix or suffix; choose another name.")]
    [InlineData("Upper-Case", "Use lowercase letters, digits and hyphens, starting and ending with a letter or digit.")]
    [InlineData("ab", "A bucket name has 3 to 63 characters.")]
    public async Task ValidateAsync_InvalidBucketName_ShowsBucketRuleAtBucket(string bucket, string message)
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.BucketName = bucket;
        var cut = ctx.RenderStep<HostingStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-bucket").ShouldBe(TenantSpecRules.BucketName(bucket));
        cut.FieldText("spec-bucket").ShouldBe(message);
        cut.FieldIsInvalid("spec-bucket").ShouldBeTrue();
    }

    [Theory]
    [InlineData("https://x.cloudfront.net/path")]
    [InlineData("x.cloudfront.net/path")]
    [InlineData("D111.cloudfront.net")]
    public async Task ValidateAsync_CloudFrontDomainNotAHostName_ShowsDomainRuleAtDomain(string domain)
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.Mode = HostingMode.CloudFront;
        spec.Hosting.CloudFrontDomain = domain;
        var cut = ctx.RenderStep<HostingStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-cloudfront-domain").ShouldBe(TenantSpecRules.CloudFrontDomain(domain));
        cut.FieldText("spec-cloudfront-domain").ShouldBe("Enter a host name only, such as d111111abcdef8.cloudfront.net or ccp.example.com (no https://, no path).");
        cut.Find("[data-testid=hosting-origin]").TextContent.ShouldBe("(known once the CloudFront distribution exists)", "an invalid domain never becomes an origin");
    }

    [Fact]
    public async Task Render_PublicBucket_ShowsWarningAndBucketOrigin()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<HostingStep>(WizardSteps.ValidSpec());

        cut.FindAll("[data-testid=public-bucket-warning]").Count.ShouldBe(1);
        cut.Find("[data-testid=public-bucket-warning]").TextContent.ShouldContain("A public bucket serves the pages to anyone with the link.");
        cut.Find("[data-testid=hosting-origin]").TextContent.ShouldBe(PublicOrigin);
        cut.Markup.ShouldContain($"{PublicOrigin}/AudioOnly.html");
        cut.Markup.ShouldContain($"{PublicOrigin}/InSession.html");
        cut.FindAll("[data-testid=spec-cloudfront-domain]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Render_CloudFrontWithoutDomain_ShowsNoWarningAndOriginNotYetKnown()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.Mode = HostingMode.CloudFront;
        var cut = ctx.RenderStep<HostingStep>(spec);

        cut.FindAll("[data-testid=public-bucket-warning]").ShouldBeEmpty();
        cut.Find("[data-testid=hosting-origin]").TextContent.ShouldBe("(known once the CloudFront distribution exists)");
        cut.Markup.ShouldNotContain(".s3.eu-west-2.amazonaws.com");
        (await cut.ValidateAsync()).ShouldBeTrue("the domain is optional until the distribution exists");
    }

    [Fact]
    public async Task Render_CloudFrontWithDomain_UsesTheDomainAsOrigin()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.Mode = HostingMode.CloudFront;
        spec.Hosting.CloudFrontDomain = "ccp.example.com";
        var cut = ctx.RenderStep<HostingStep>(spec);

        cut.Find("[data-testid=hosting-origin]").TextContent.ShouldBe("https://ccp.example.com");
        cut.FindAll("[data-testid=public-bucket-warning]").ShouldBeEmpty();
    }

    [Fact]
    public async Task ModeChange_ToPublicBucket_ShowsWarningAndApprovedOrigin()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.Mode = HostingMode.CloudFront;
        var changes = 0;
        var cut = ctx.RenderStep<HostingStep>(spec, more: p => p.Add(s => s.SpecChanged, () => changes++));

        await cut.Find("input[data-testid=hosting-public]").ClickAsync(new());

        spec.Hosting.Mode.ShouldBe(HostingMode.PublicBucket);
        changes.ShouldBe(1);
        cut.FindAll("[data-testid=public-bucket-warning]").Count.ShouldBe(1);
        cut.Find("[data-testid=hosting-origin]").TextContent.ShouldBe(PublicOrigin);
    }

    [Fact]
    public async Task ModeChange_ToPublicBucketAfterInvalidDomain_PassesWithoutTheUnusedDomain()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.Mode = HostingMode.CloudFront;
        var cut = ctx.RenderStep<HostingStep>(spec);
        await cut.FieldInput("spec-cloudfront-domain").InputAsync("https://x.cloudfront.net/path");

        await cut.Find("input[data-testid=hosting-public]").ClickAsync(new());

        (await cut.ValidateAsync()).ShouldBeTrue("a public bucket has no CloudFront domain, and no field would show why the step failed");
        cut.ShownErrors().ShouldBeEmpty();
        TenantSpecRules.Validate(spec, SpecTarget.Of(WizardSteps.Tenant())).Keys.ShouldNotContain("hosting.cloudFrontDomain");
    }

    [Fact]
    public async Task ModeChange_BackToCloudFront_ShowsTheDomainRuleAgain()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.CloudFrontDomain = "https://x.cloudfront.net/path";
        var cut = ctx.RenderStep<HostingStep>(spec);

        await cut.Find("input[type=radio]").ClickAsync(new());

        spec.Hosting.Mode.ShouldBe(HostingMode.CloudFront);
        (await cut.ValidateAsync()).ShouldBeFalse();
        cut.FieldText("spec-cloudfront-domain").ShouldBe(TenantSpecRules.CloudFrontDomain("https://x.cloudfront.net/path"));
    }

    [Fact]
    public async Task BucketInput_NewName_UpdatesApprovedOrigin()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        var cut = ctx.RenderStep<HostingStep>(spec);

        await cut.FieldInput("spec-bucket").InputAsync("acme-ccp-pages");

        spec.Hosting.BucketName.ShouldBe("acme-ccp-pages");
        cut.Find("[data-testid=hosting-origin]").TextContent.ShouldBe("https://acme-ccp-pages.s3.eu-west-2.amazonaws.com");
    }

    [Fact]
    public async Task Render_ReadOnly_RendersEveryInputReadOnly()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Hosting.Mode = HostingMode.CloudFront;
        var cut = ctx.RenderStep<HostingStep>(spec, readOnly: true);

        var inputs = cut.TextInputs();

        inputs.Select(i => i.GetAttribute("data-testid")).ShouldBe(["spec-bucket", "spec-cloudfront-domain"]);
        inputs.ShouldAllBe(i => i.HasAttribute("readonly"));
    }
}
