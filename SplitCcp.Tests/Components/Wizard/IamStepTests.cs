using System.Text.Json.Nodes;
using Bunit;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Web.Components.Wizard;

namespace SplitCcp.Tests.Components.Wizard;

public sealed class IamStepTests
{
    private const string InstanceArn = "arn:aws:connect:eu-west-2:123456789012:instance/bae1b13e-6e52-4e0b-9e13-769c27a1b2c3";

    [Fact]
    public async Task ValidateAsync_ValidSpec_ReturnsTrueWithoutErrors()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<IamStep>(WizardSteps.ValidSpec());

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.ShownErrors().ShouldBeEmpty();
        cut.FindAll("[aria-invalid=true]").ShouldBeEmpty();
    }

    [Fact]
    public async Task ValidateAsync_RoleNameLongerThan64_ShowsRoleRuleAtRole()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        var roleName = new string('r', 65);
        spec.Iam.FederationRoleName = roleName;
        var cut = ctx.RenderStep<IamStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-iam-role").ShouldBe(TenantSpecRules.IamRoleName(roleName));
        cut.FieldText("spec-iam-role").ShouldBe("Use 1 to 64 letters, digits and + = , . @ _ -.");
        cut.FieldIsInvalid("spec-iam-policy").ShouldBeFalse("a policy name may be 128 characters");
        cut.FieldIsInvalid("spec-iam-provider").ShouldBeFalse();
    }

    [Fact]
    public async Task ValidateAsync_RoleNameOf64_ReturnsTrue()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Iam.FederationRoleName = new string('r', 64);
        var cut = ctx.RenderStep<IamStep>(spec);

        (await cut.ValidateAsync()).ShouldBeTrue();
    }

    [Theory]
    [InlineData("spec-iam-provider", "SplitCcp IdC")]
    [InlineData("spec-iam-policy", "SplitCcp/Federation")]
    public async Task ValidateAsync_NameWithForbiddenCharacter_ShowsItsRule(string testId, string name)
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        string? expected;
        if (testId == "spec-iam-provider")
        {
            spec.Iam.SamlProviderName = name;
            expected = TenantSpecRules.SamlProviderName(name);
        }
        else
        {
            spec.Iam.FederationPolicyName = name;
            expected = TenantSpecRules.IamPolicyName(name);
        }

        var cut = ctx.RenderStep<IamStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        expected.ShouldNotBeNull();
        cut.FieldText(testId).ShouldBe(expected);
        cut.ShownErrors().Count.ShouldBe(1);
    }

    [Fact]
    public async Task Render_ValidSpec_ShowsFederationPolicyForTheInstanceUsers()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<IamStep>(WizardSteps.ValidSpec());

        var text = cut.Find("[data-testid=federation-policy]").TextContent;

        text.ShouldContain("connect:GetFederationToken");
        text.ShouldContain(InstanceArn);
        var statement = JsonNode.Parse(text)!["Statement"]![0]!;
        statement["Effect"]!.GetValue<string>().ShouldBe("Allow");
        statement["Action"]!.GetValue<string>().ShouldBe("connect:GetFederationToken");
        statement["Resource"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldBe([$"{InstanceArn}/user/${{aws:userid}}"]);
    }

    [Fact]
    public async Task Render_ValidSpec_ShowsTrustPolicyForTheSamlProvider()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<IamStep>(WizardSteps.ValidSpec());

        var statement = JsonNode.Parse(cut.Find("[data-testid=trust-policy]").TextContent)!["Statement"]![0]!;

        statement["Principal"]!["Federated"]!.GetValue<string>().ShouldBe("arn:aws:iam::123456789012:saml-provider/SplitCcp-spec-co-IdentityCenter");
        statement["Action"]!.GetValue<string>().ShouldBe("sts:AssumeRoleWithSAML");
        statement["Condition"]!["StringEquals"]!["SAML:aud"]!.GetValue<string>().ShouldBe("https://signin.aws.amazon.com/saml");
        cut.Find("ul.will-create").TextContent.ShouldContain("Role arn:aws:iam::123456789012:role/SplitCcp-spec-co-Agent with the policy attached");
    }

    [Fact]
    public async Task Render_NoInstanceId_ShowsPlaceholderInsteadOfAnArn()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.InstanceId = "not-a-uuid";
        var cut = ctx.RenderStep<IamStep>(spec);

        var statement = JsonNode.Parse(cut.Find("[data-testid=federation-policy]").TextContent)!["Statement"]![0]!;

        statement["Resource"]![0]!.GetValue<string>().ShouldBe("<Connect instance ARN>/user/${aws:userid}");
    }

    [Fact]
    public async Task Render_NoInstanceOrAccount_ShowsPlaceholdersAsTheOperatorReadsThemNotJsonEscapes()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.InstanceId = null;
        spec.AwsAccountId = "12345";
        var cut = ctx.RenderStep<IamStep>(spec);

        cut.Find("[data-testid=federation-policy]").TextContent.ShouldContain("\"<Connect instance ARN>/user/${aws:userid}\"");
        cut.Find("[data-testid=trust-policy]").TextContent.ShouldContain("\"<SAML provider ARN>\"");
        cut.Markup.ShouldNotContain("\\u003C");
    }

    [Fact]
    public async Task Render_InstanceToBeCreated_SaysTheApplyFillsInItsArn()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.InstanceMode = ConnectInstanceMode.Create;
        spec.Connect.InstanceId = null;
        var cut = ctx.RenderStep<IamStep>(spec);

        cut.Find("[data-testid=federation-policy-note]").TextContent
            .ShouldBe("The apply fills in the instance's ARN once it has created the Connect instance.");
    }

    [Fact]
    public async Task ShowErrorsAsync_ServerErrorAtRole_ShowsItThereUntilTheNextCheck()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<IamStep>(WizardSteps.ValidSpec());
        var errors = new Dictionary<string, string[]> { ["iam.federationRoleName"] = ["A role with this name already exists in the account."] };

        await cut.InvokeAsync(() => cut.Instance.ShowErrorsAsync(errors));

        cut.FieldText("spec-iam-role").ShouldBe("A role with this name already exists in the account.");
        (await cut.ValidateAsync()).ShouldBeTrue("a new check drops the server's old verdict");
        cut.FieldIsInvalid("spec-iam-role").ShouldBeFalse();
    }

    [Fact]
    public async Task Render_ReadOnly_RendersEveryInputReadOnly()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<IamStep>(WizardSteps.ValidSpec(), readOnly: true);

        var inputs = cut.TextInputs();

        inputs.Select(i => i.GetAttribute("data-testid")).ShouldBe(["spec-iam-provider", "spec-iam-policy", "spec-iam-role"]);
        inputs.ShouldAllBe(i => i.HasAttribute("readonly"));
    }
}
