using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Web.Components.Wizard;

namespace SplitCcp.Tests.Components.Wizard;

public sealed class AppStreamStepTests
{
    [Fact]
    public async Task ValidateAsync_ValidSpec_ReturnsTrueWithoutErrors()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<AppStreamStep>(WizardSteps.ValidSpec());

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.ShownErrors().ShouldBeEmpty();
        cut.FindAll("[aria-invalid=true]").ShouldBeEmpty();
        cut.FindAll(".mud-chip-color-error").ShouldBeEmpty();
        cut.FindAll(".mud-error-text").ShouldBeEmpty();
    }

    [Fact]
    public async Task SecurityGroups_AtTheCap_AnotherIsNotAddedAndTheCapIsSaid()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.AppStream.ImageBuilder.SecurityGroupIds = [.. Enumerable.Range(0, TenantSpecRules.MaxSecurityGroups).Select(i => $"sg-0123456789abcde{i:x2}")];
        var cut = ctx.RenderStep<AppStreamStep>(spec);

        await cut.FieldInput("spec-security-groups").InputAsync(new ChangeEventArgs { Value = "sg-0123456789abcdeff" });
        await cut.FieldInput("spec-security-groups").KeyDownAsync(new KeyboardEventArgs { Key = "Enter" });

        spec.AppStream.ImageBuilder.SecurityGroupIds.Count.ShouldBe(TenantSpecRules.MaxSecurityGroups);
        cut.FieldText("spec-security-groups").ShouldBe(TenantSpecRules.SecurityGroupCount(TenantSpecRules.MaxSecurityGroups + 1));
    }

    [Fact]
    public async Task ValidateAsync_FleetNameStartingWithHyphen_ShowsNameRuleAtFleetName()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.AppStream.Fleet.Name = "-fleet";
        var cut = ctx.RenderStep<AppStreamStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-fleet-name").ShouldBe(TenantSpecRules.AppStreamName("-fleet"));
        cut.FieldText("spec-fleet-name").ShouldBe("Use 1 to 100 letters, digits and _ . -, starting with a letter or digit.");
        cut.FieldIsInvalid("spec-fleet-name").ShouldBeTrue();
        cut.FieldIsInvalid("spec-stack-name").ShouldBeFalse();
        cut.ShownErrors().Count.ShouldBe(1);
    }

    [Fact]
    public async Task ValidateAsync_CapacityZero_ShowsCapacityRuleAtCapacityAndKeepsTheValue()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.AppStream.Fleet.DesiredCapacity = 0;
        var cut = ctx.RenderStep<AppStreamStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldTextByLabel("Capacity").ShouldBe(TenantSpecRules.DesiredCapacity(0));
        cut.FieldTextByLabel("Capacity").ShouldBe("Use a capacity from 1 to 500 instances.");
        spec.AppStream.Fleet.DesiredCapacity.ShouldBe(0, "the field's Min must not quietly change the spec");
    }

    [Theory]
    [InlineData("stream.standard.medium ")]
    [InlineData("m5.large")]
    public async Task ValidateAsync_InvalidFleetInstanceType_ShowsInstanceTypeRule(string instanceType)
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.AppStream.Fleet.InstanceType = instanceType;
        var cut = ctx.RenderStep<AppStreamStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.ShownErrors().ShouldBe([TenantSpecRules.AppStreamInstanceType(instanceType)!]);
    }

    [Fact]
    public async Task ValidateAsync_InvalidSubnet_ShowsSubnetRuleAtSubnets()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.AppStream.ImageBuilder.SubnetIds.Add("subnet-xyz");
        var cut = ctx.RenderStep<AppStreamStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        var subnets = cut.FieldInput("spec-subnets").Closest(".mud-grid-item")!;
        subnets.TextContent.ShouldContain(TenantSpecRules.SubnetId("subnet-xyz")!);
        subnets.TextContent.ShouldContain("A subnet ID looks like subnet-0123456789abcdef0.");
        cut.FieldInput("spec-security-groups").Closest(".mud-grid-item")!.TextContent.ShouldNotContain("looks like");
    }

    [Fact]
    public async Task ValidateAsync_InvalidSecurityGroup_ShowsSecurityGroupRuleAtSecurityGroups()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.AppStream.ImageBuilder.SecurityGroupIds.AddRange(["sg-0123456789abcdef0", "sg-nope"]);
        var cut = ctx.RenderStep<AppStreamStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        var groups = cut.FieldInput("spec-security-groups").Closest(".mud-grid-item")!;
        groups.TextContent.ShouldContain(TenantSpecRules.SecurityGroupId("sg-nope")!);
        groups.QuerySelectorAll(".mud-chip-color-error").Select(c => c.TextContent.Trim()).ShouldBe(["sg-nope"]);
    }

    [Fact]
    public async Task Render_ValidSpec_SaysWhatItWillCreate()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<AppStreamStep>(WizardSteps.ValidSpec());

        var willCreate = cut.Find("ul.will-create").TextContent;

        willCreate.ShouldContain("Image builder splitccp-spec-co-builder (stream.standard.medium) from AppStream-WinServer2022-06-17-2025.");
        willCreate.ShouldContain("Fleet splitccp-spec-co-fleet (on-demand, 2 × stream.standard.medium) on image splitccp-spec-co-ccp");
        willCreate.ShouldContain("Stack splitccp-spec-co-stack, associated with the fleet.");
    }

    [Fact]
    public async Task Render_ReadOnly_RendersEveryInputReadOnlyAndChipsWithoutRemove()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.AppStream.ImageBuilder.SubnetIds.Add("subnet-0123456789abcdef0");
        var cut = ctx.RenderStep<AppStreamStep>(spec, readOnly: true);

        var inputs = cut.TextInputs();

        inputs.Count.ShouldBe(10);
        inputs.ShouldAllBe(i => i.HasAttribute("readonly"));
        cut.FindAll(".mud-chip").Count.ShouldBe(1);
        cut.FindAll(".mud-chip-close-button").ShouldBeEmpty();
        cut.FindAll("button[aria-label^='Add to']").ShouldBeEmpty();
    }
}
