using Bunit;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Core;
using SplitCcp.Web.Components.Wizard;

namespace SplitCcp.Tests.Components.Wizard;

/// <summary>The Identity Center step; its Find action runs against the real <see cref="IdentityCenterInstances"/> and a Sandbox tenant on a SQLite file.</summary>
public sealed class IdentityCenterStepTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;
    private TestUser _operator = null!;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        _operator = await _host.CreateOperatorAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private const string MetadataXml =
        """<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://portal.sso.eu-west-2.amazonaws.com/saml/assertion/abc"></md:EntityDescriptor>""";

    [Fact]
    public async Task ValidateAsync_ValidSpec_ReturnsTrueWithoutErrors()
    {
        await using var ctx = CreateContext();
        var cut = ctx.RenderStep<IdentityCenterStep>(WizardSteps.ValidSpec());

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.ShownErrors().ShouldBeEmpty();
        cut.FindAll("[aria-invalid=true]").ShouldBeEmpty();
        cut.FindAll(".mud-error-text").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("http://d-1234567890.awsapps.com/start")]
    [InlineData("https://d-1234567890.awsapps.com.evil.example/start")]
    [InlineData("https://user@d-1234567890.awsapps.com/start")]
    public async Task ValidateAsync_StartUrlNotAnAccessPortalLink_ShowsStartUrlRule(string startUrl)
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.StartUrl = startUrl;
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-idc-start-url").ShouldBe(TenantSpecRules.StartUrl(startUrl));
        cut.FieldText("spec-idc-start-url").ShouldBe("Use the https:// link of the application in the AWS access portal, such as https://d-1234567890.awsapps.com/start/#/….");
        cut.ShownErrors().Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("http://portal.sso.eu-west-2.amazonaws.com/saml/metadata/MTIz")]
    [InlineData("https://portal.sso.eu-west-2.amazonaws.com.evil.example/saml/metadata/MTIz")]
    [InlineData("https://portal.sso.eu-west-2.amazonaws.com/start")]
    public async Task ValidateAsync_MetadataUrlNotIdentityCenterHttps_ShowsMetadataUrlRule(string url)
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.MetadataUrl = url;
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-idc-metadata-url").ShouldBe(TenantSpecRules.MetadataUrl(url, SpecTarget.Of(WizardSteps.Tenant())));
        cut.FieldText("spec-idc-metadata-url").ShouldBe("Paste the IAM Identity Center SAML metadata URL: https://portal.sso.<region>.amazonaws.com/saml/metadata/….");
    }

    [Fact]
    public async Task ValidateAsync_ApplicationNotMadeYet_ReturnsTrueWithTheConsoleStepsValuesEmpty()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.ApplicationArn = null;
        spec.IdentityCenter.MetadataUrl = null;
        spec.IdentityCenter.MetadataXml = null;
        spec.IdentityCenter.StartUrl = null;
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        (await cut.ValidateAsync()).ShouldBeTrue("the plan shows the console step and what needs the application waits for it");

        cut.ShownErrors().ShouldBeEmpty();
        TenantSpecRules.Validate(spec, SpecTarget.Of(WizardSteps.Tenant()), SpecSection.IdentityCenter).ShouldBeEmpty();
    }

    [Fact]
    public async Task ValidateAsync_MetadataXmlInsteadOfUrl_ReturnsTrueAndShowsTheXmlChip()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.MetadataUrl = null;
        spec.IdentityCenter.MetadataXml = MetadataXml;
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.Find("[data-testid=metadata-xml-chip]").ClassList.ShouldContain("mud-chip-color-success");
        cut.ShownErrors().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""<!DOCTYPE EntityDescriptor [<!ENTITY id "https://portal.sso.eu-west-2.amazonaws.com">]><EntityDescriptor entityID="&id;"/>""")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><EntityDescriptor>&lol2;</EntityDescriptor>""")]
    [InlineData("""<!DOCTYPE EntityDescriptor [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><EntityDescriptor>&xxe;</EntityDescriptor>""")]
    public async Task ValidateAsync_MetadataXmlWithDoctype_IsRefusedWithoutExpandingEntities(string xml)
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.MetadataUrl = null;
        spec.IdentityCenter.MetadataXml = xml;
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        var expected = TenantSpecRules.MetadataXml(xml);
        expected.ShouldNotBeNull();
        expected.ShouldStartWith("This is not well-formed XML (");
        expected.ShouldContain("DTD is prohibited", customMessage: "the reader stops at the DOCTYPE, before any entity is read");
        cut.Find(".mud-error-text").TextContent.Trim().ShouldBe(expected);
        cut.Find(".mud-error-text").Closest(".mud-grid-item")!.PreviousElementSibling!
            .QuerySelector("[data-testid=metadata-xml-chip]").ShouldNotBeNull("the message sits right under the uploaded XML");
        cut.Find("[data-testid=metadata-xml-chip]").ClassList.ShouldContain("mud-chip-color-error");
    }

    [Fact]
    public async Task ValidateAsync_MetadataXmlOfAnotherKind_SaysItIsNotSamlMetadata()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.MetadataXml = "<html><body>Sign in</body></html>";
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.Find(".mud-error-text").TextContent.Trim().ShouldBe(TenantSpecRules.MetadataXml(spec.IdentityCenter.MetadataXml));
        cut.Find(".mud-error-text").TextContent.Trim().ShouldBe("This XML is not SAML metadata: its root element must be EntityDescriptor.");
    }

    [Fact]
    public async Task ValidateAsync_AssignedUserWithTab_ShowsIdentityNameRuleAtUsers()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.AssignedUsers.Add("ada\tagent");
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldInput("spec-idc-users").Closest(".mud-grid-item")!.TextContent
            .ShouldContain(TenantSpecRules.IdentityName("ada\tagent")!);
    }

    [Fact]
    public async Task Render_ValidSpec_ShowsConsoleValuesBuiltFromTheSpec()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);
        var values = SetupValues.For(WizardSteps.Region, spec);

        cut.Find("[data-testid=relay-state]").TextContent.ShouldBe(values.RelayState);
        cut.Find("[data-testid=relay-state]").TextContent
            .ShouldBe("https://eu-west-2.console.aws.amazon.com/connect/federate/bae1b13e-6e52-4e0b-9e13-769c27a1b2c3?destination=%2Fconnect%2Fccp-v2");
        cut.Find("[data-testid=acs-url]").TextContent.ShouldBe("https://signin.aws.amazon.com/saml");
        cut.Find("[data-testid=audience]").TextContent.ShouldBe("urn:amazon:webservices");
        cut.Find("[data-testid=mapping-Subject]").TextContent.ShouldBe("${user:email}");
        cut.Find("[data-testid=mapping-RoleSessionName]").TextContent.ShouldBe("${user:email}");
        cut.Find("[data-testid=mapping-Role]").TextContent.ShouldBe(values.AttributeMappings[2].Value);
        cut.Find("[data-testid=mapping-Role]").TextContent.ShouldBe(
            "arn:aws:iam::123456789012:role/SplitCcp-spec-co-Agent,arn:aws:iam::123456789012:saml-provider/SplitCcp-spec-co-IdentityCenter");
        cut.Find("[data-testid=idc-instructions]").TextContent.ShouldContain("Display name: SplitCcp Spec Co");
    }

    [Fact]
    public async Task Render_NoInstanceOrAccount_ShowsWhatIsMissingInsteadOfValues()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.InstanceId = null;
        spec.AwsAccountId = "12345";
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        cut.Find("[data-testid=relay-state]").TextContent.ShouldBe("(choose the Connect instance in step 1)");
        cut.Find("[data-testid=mapping-Role]").TextContent.ShouldBe("<federation role ARN>,<SAML provider ARN>");
        cut.Markup.ShouldContain("&lt;federation role ARN&gt;");
    }

    [Fact]
    public async Task Render_InstanceToBeCreated_SaysTheRelayStateIsKnownAfterTheApply()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.InstanceMode = ConnectInstanceMode.Create;
        spec.Connect.InstanceId = null;
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        cut.Find("[data-testid=relay-state]").TextContent.ShouldBe("(known once the apply has created the Connect instance)");
    }

    [Fact]
    public async Task Render_HostileAssignedUserName_IsEncodedNeverMarkup()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.AssignedUsers.Add(WizardSteps.Hostile);

        var cut = ctx.RenderStep<IdentityCenterStep>(spec);
        var html = await ctx.PrerenderAsync<IdentityCenterStep>(spec, WizardSteps.Tenant());

        cut.FindAll("img").ShouldBeEmpty();
        cut.FindAll(".mud-chip").Select(c => c.TextContent.Trim()).ShouldContain(WizardSteps.Hostile);
        cut.Markup.ShouldContain("&lt;img src=x onerror=alert(1)&gt;");
        cut.Markup.ShouldNotContain("<img src=x");
        html.ShouldContain("&lt;img src=x onerror=alert(1)&gt;");
        html.ShouldNotContain("<img src=x");
    }

    [Fact]
    public async Task Render_ReadOnly_RendersEveryInputReadOnlyWithoutUpload()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.MetadataXml = MetadataXml;
        var cut = ctx.RenderStep<IdentityCenterStep>(spec, readOnly: true);

        var inputs = cut.TextInputs();

        inputs.Select(i => i.GetAttribute("data-testid")).ShouldBe(
            ["spec-idc-instance", "spec-idc-app", "spec-idc-metadata-url", "spec-idc-start-url", "spec-idc-users", "spec-idc-groups"]);
        inputs.ShouldAllBe(i => i.HasAttribute("readonly"));
        cut.FindAll("input[type=file]").ShouldBeEmpty();
        cut.FindAll("[data-testid=idc-find]").ShouldBeEmpty();
        RegionField(cut).ClassList.ShouldContain("mud-readonly");
        cut.Markup.ShouldNotContain("Upload metadata XML");

        var close = cut.FindAll("[data-testid=metadata-xml-chip] .mud-chip-close-button");
        if (close.Count > 0)
        {
            await close[0].ClickAsync(new());
        }

        spec.IdentityCenter.MetadataXml.ShouldBe(MetadataXml, "a read-only step never drops the uploaded XML");
    }

    [Fact]
    public async Task Render_RegionField_SaysWhatItIs_AndOffersThePartitionsIdentityCenterRegions()
    {
        await using var ctx = CreateContext();
        var provider = ctx.RenderPopoverProvider();
        var cut = ctx.RenderStep<IdentityCenterStep>(WizardSteps.ValidSpec());

        cut.FieldText("spec-idc-region").ShouldBe(
            "Where your organisation's IAM Identity Center lives (its home region, named in its metadata URL); it is often not eu-west-2, where Connect runs. The portal calls Identity Center there.");
        RegionField(cut).TextContent.Trim().ShouldBe("Same as the tenant's region (eu-west-2)");
        await RegionField(cut).Closest(".mud-input-control")!.MouseDownAsync(new());
        var items = provider.WaitForElement(".mud-popover-open").QuerySelectorAll(".mud-list-item").Select(i => i.TextContent.Trim()).ToList();

        items[0].ShouldBe("Same as the tenant's region (eu-west-2)");
        items.Skip(1).Select(i => i.Split(' ')[0]).ShouldBe(AwsPartitions.Commercial.IdentityCenterRegions);
        items.ShouldContain("us-east-1 — US East (N. Virginia)");
    }

    [Fact]
    public async Task ValidateAsync_MetadataUrlOfAnotherRegion_ShowsTheFixAtTheRegion_AndUseSetsIt()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.MetadataUrl = "https://portal.sso.us-east-1.amazonaws.com/saml/metadata/MTIzNDU2";
        var cut = ctx.RenderStep<IdentityCenterStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-idc-region").ShouldBe("The metadata URL is that of Identity Center in us-east-1, so that is its region: set the Identity Center region to us-east-1.");
        cut.Find("[data-testid=idc-region-offer]").TextContent.ShouldContain("The metadata URL is that of Identity Center in us-east-1, not eu-west-2.");

        await cut.Find("[data-testid=idc-region-use]").ClickAsync(new());

        spec.IdentityCenter.Region.ShouldBe("us-east-1");
        cut.FindAll("[data-testid=idc-region-offer]").ShouldBeEmpty();
        (await cut.ValidateAsync()).ShouldBeTrue();
    }

    [Fact]
    public async Task Find_AsksIdentityCenterRegionByRegion_AndSetsTheRegionAndInstanceWhereItAnswers()
    {
        var tenant = await _host.CreateTenantAsync(_operator.Principal, "find-co", "Find Co");
        var world = await _host.Services.GetRequiredService<SandboxConsole>().GetWorldAsync(tenant.Id);
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.IdentityCenter.InstanceArn = null;
        var changed = 0;
        var authorized = await _host.TenantAsync(_operator.Principal, tenant.Id);
        var cut = ctx.RenderStep<IdentityCenterStep>(spec, tenant, more: p => p
            .Add(s => s.Authorized, authorized)
            .Add(s => s.SpecChanged, () => changed++));

        await cut.Find("[data-testid=idc-find]").ClickAsync(new());

        cut.WaitForAssertion(() => cut.Find("[data-testid=idc-find-result]").TextContent.Trim().ShouldBe(
            $"Identity Center answered in us-east-1 with instance {world.IdentityCenterInstanceArn}: the region is set to us-east-1."));
        (spec.IdentityCenter.Region, spec.IdentityCenter.InstanceArn).ShouldBe(("us-east-1", world.IdentityCenterInstanceArn));
        changed.ShouldBe(1);
        RegionField(cut).TextContent.Trim().ShouldBe("us-east-1 — US East (N. Virginia)");
    }

    [Fact]
    public async Task Find_NoInstanceAnywhere_SaysSoAndChangesNothing()
    {
        var tenant = await _host.CreateTenantAsync(_operator.Principal, "nowhere-co", "Nowhere Co");
        var console = _host.Services.GetRequiredService<SandboxConsole>();
        await console.DeleteAsync(tenant.Id, SandboxKinds.IdentityCenterInstance, (await console.GetWorldAsync(tenant.Id)).IdentityCenterInstanceArn);
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        var authorized = await _host.TenantAsync(_operator.Principal, tenant.Id);
        var cut = ctx.RenderStep<IdentityCenterStep>(spec, tenant, more: p => p.Add(s => s.Authorized, authorized));

        await cut.Find("[data-testid=idc-find]").ClickAsync(new());

        cut.WaitForAssertion(() => cut.Find("[data-testid=idc-find-result]").TextContent.Trim().ShouldStartWith("No IAM Identity Center instance answered in the 34 regions asked."));
        (spec.IdentityCenter.Region, spec.IdentityCenter.InstanceArn).ShouldBe((null, "arn:aws:sso:::instance/ssoins-1234567890abcdef"));
    }

    /// <summary>The region select's combobox: it shows the chosen item's text and carries the helper text's ID.</summary>
    private static AngleSharp.Dom.IElement RegionField(IRenderedComponent<IdentityCenterStep> cut) => cut.Find("[role=combobox][data-testid=spec-idc-region]");

    private BunitContext CreateContext() => MudTestContext.Create(ctx =>
        ctx.Services.AddSingleton(_host.Services.GetRequiredService<IdentityCenterInstances>()));
}
