using SplitCcp.Core.Aws.Gateways;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Core;
using SplitCcp.Web.Components.Wizard;

namespace SplitCcp.Tests.Components.Wizard;

/// <summary>The instance step against the real <see cref="ConnectInstances"/> and tenant store on a SQLite file.</summary>
public sealed class InstanceStepTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;
    private TestUser _operator = null!;
    private TenantView _tenant = null!;
    private AuthorizedTenant _authorized = null!;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        _operator = await _host.CreateOperatorAsync();
        _tenant = await _host.CreateTenantAsync(_operator.Principal, "wizard-co", "Wizard Co");
        _authorized = await _host.TenantAsync(_operator.Principal, _tenant.Id);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ValidateAsync_ValidSpec_ReturnsTrueWithoutErrors()
    {
        await using var ctx = CreateContext();
        var cut = RenderStep(ctx, WizardSteps.ValidSpec());

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.ShownErrors().ShouldBeEmpty();
        cut.FindAll("[aria-invalid=true]").ShouldBeEmpty();
    }

    [Fact]
    public async Task ValidateAsync_ShortAccountId_ShowsAccountRuleAtAccount()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.AwsAccountId = "12345";
        var cut = RenderStep(ctx, spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-account-id").ShouldBe(TenantSpecRules.AwsAccountId("12345"));
        cut.FieldText("spec-account-id").ShouldBe("An AWS account ID is exactly 12 digits, such as 123456789012.");
        cut.ShownErrors().Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("BAE1B13E-6E52-4E0B-9E13-769C27A1B2C3")]
    [InlineData("{bae1b13e-6e52-4e0b-9e13-769c27a1b2c3}")]
    public async Task ValidateAsync_InstanceIdNotALowercaseUuid_ShowsInstanceIdRule(string instanceId)
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.InstanceId = instanceId;
        var cut = RenderStep(ctx, spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-instance-id").ShouldBe(TenantSpecRules.ConnectInstanceId(instanceId));
        cut.FieldText("spec-instance-id").ShouldBe("An instance ID looks like bae1b13e-6e52-4e0b-9e13-769c27a1b2c3 (the end of the instance ARN).");
    }

    [Theory]
    [InlineData("d-123")]
    [InlineData("-spec-co")]
    [InlineData("spec_co")]
    public async Task ValidateAsync_InvalidAlias_ShowsAliasRuleAtAlias(string alias)
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.InstanceAlias = alias;
        var cut = RenderStep(ctx, spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("spec-instance-alias").ShouldBe(TenantSpecRules.ConnectInstanceAlias(alias));
        cut.FieldText("spec-instance-alias").ShouldBe("Use 1 to 45 letters, digits and hyphens, starting and ending with a letter or digit (not 'd-').");
    }

    [Fact]
    public async Task ValidateAsync_AgentWithSpaceInEmailAndNoLastName_ShowsBothRulesInItsRow()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.Agents.Add(new AgentUserSpec { Email = "bob agent@spec.example", FirstName = "Bob", LastName = "" });
        var cut = RenderStep(ctx, spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldText("agent-email-1").ShouldBe(TenantSpecRules.AgentEmail("bob agent@spec.example"));
        cut.FieldText("agent-email-1").ShouldBe("Use an e-mail address of at most 64 characters made of letters, digits and _ - . @ (Connect usernames allow no others).");
        cut.FieldText("agent-last-1").ShouldBe(TenantSpecRules.PersonName(""));
        cut.FieldText("agent-last-1").ShouldBe("Enter a name.");
        cut.FieldIsInvalid("agent-first-1").ShouldBeFalse();
        cut.FieldIsInvalid("agent-email-0").ShouldBeFalse("the first agent is fine");
        cut.ShownErrors().Count.ShouldBe(2);
    }

    [Fact]
    public async Task ValidateAsync_DuplicatedAgentEmail_ShowsListedTwiceAtTheSecond()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.Agents.Add(new AgentUserSpec { Email = "AGENT@spec.example", FirstName = "Ada", LastName = "Again" });
        var cut = RenderStep(ctx, spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        var expected = TenantSpecRules.Validate(spec, SpecTarget.Of(WizardSteps.Tenant()), SpecSection.Instance)["connect.agents[1].email"].Single();
        expected.ShouldBe("This agent is listed twice.");
        cut.FieldText("agent-email-1").ShouldBe(expected);
        cut.FieldIsInvalid("agent-email-1").ShouldBeTrue();
        cut.FieldIsInvalid("agent-email-0").ShouldBeFalse();
    }

    [Fact]
    public async Task ValidateAsync_CreateModeWithoutInstanceId_ReturnsTrueAndHidesTheIdField()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.InstanceMode = ConnectInstanceMode.Create;
        spec.Connect.InstanceId = null;
        var cut = RenderStep(ctx, spec);

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.FindAll("[data-testid=spec-instance-id]").ShouldBeEmpty();
        cut.FindAll("[data-testid=instance-picker]").ShouldBeEmpty();
        cut.Find("ul.will-create").TextContent.ShouldContain("An Amazon Connect instance spec-co with SAML 2.0 identity management.");
    }

    [Fact]
    public async Task ModeChange_ToCreateWithInvalidInstanceId_KeepsTheIdFieldAndShowsItsRule()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.InstanceId = "not-a-uuid";
        var cut = RenderStep(ctx, spec);

        await cut.Find("input[data-testid=instance-mode-create]").ClickAsync(new());

        spec.Connect.InstanceMode.ShouldBe(ConnectInstanceMode.Create);
        (await cut.ValidateAsync()).ShouldBeFalse("the section check still refuses an instance ID that is not a UUID");
        cut.FieldText("spec-instance-id").ShouldBe(TenantSpecRules.ConnectInstanceId("not-a-uuid"));
        cut.FindAll("[data-testid=instance-picker]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Render_SandboxTenant_ListsTheSandboxInstancesInThePicker()
    {
        await using var ctx = CreateContext();
        var provider = ctx.RenderPopoverProvider();
        var cut = RenderStep(ctx, WizardSteps.ValidSpec());

        var items = await OpenPickerAsync(cut, provider);

        var expected = SandboxConnect.Instances(_tenant);
        expected.Select(i => i.Alias).ShouldBe(["wizard-co-contact-center", "wizard-co-lab"]);
        items.Select(i => i.TextContent.Trim()).ShouldBe(expected.Select(i => $"{i.Alias} · {i.IdentityManagementType} · {i.Id}"));
    }

    [Fact]
    public async Task Pick_SamlInstance_FillsInstanceIdAndAliasWithoutWarning()
    {
        await using var ctx = CreateContext();
        var provider = ctx.RenderPopoverProvider();
        var spec = WizardSteps.ValidSpec();
        var changes = 0;
        var cut = RenderStep(ctx, spec, changed: () => changes++);
        var saml = SandboxConnect.Instances(_tenant).Single(i => i.UsesSaml);

        await PickAsync(cut, provider, saml);

        spec.Connect.InstanceId.ShouldBe(saml.Id);
        spec.Connect.InstanceAlias.ShouldBe("wizard-co-contact-center");
        changes.ShouldBe(1);
        cut.WaitForAssertion(() => cut.FieldInput("spec-instance-id").GetAttribute("value").ShouldBe(saml.Id));
        cut.FieldInput("spec-instance-alias").GetAttribute("value").ShouldBe("wizard-co-contact-center");
        cut.FindAll(".mud-alert-text-warning").ShouldBeEmpty();
        (await cut.ValidateAsync()).ShouldBeTrue();
    }

    [Fact]
    public async Task Pick_NonSamlInstance_RefusesTheStepWithTheReasonAtTheInstance()
    {
        await using var ctx = CreateContext();
        var provider = ctx.RenderPopoverProvider();
        var spec = WizardSteps.ValidSpec();
        var cut = RenderStep(ctx, spec);
        var lab = SandboxConnect.Instances(_tenant).Single(i => !i.UsesSaml);

        await PickAsync(cut, provider, lab);

        spec.Connect.InstanceId.ShouldBe(lab.Id);
        spec.Connect.InstanceAlias.ShouldBe("wizard-co-lab");
        const string reason = "wizard-co-lab uses CONNECT_MANAGED identity management. The split CCP signs agents in with SAML 2.0 through IAM Identity Center, "
            + "and AWS cannot change an instance's identity management: choose a SAML instance or create one.";
        cut.WaitForAssertion(() => cut.Find("[data-testid=instance-not-saml]").TextContent.Trim().ShouldBe(reason));
        (await cut.ValidateAsync()).ShouldBeFalse("a non-SAML instance cannot carry the split CCP");
        cut.WaitForAssertion(() => cut.FieldText("spec-instance-id").ShouldBe(reason));
        cut.FieldIsInvalid("spec-instance-id").ShouldBeTrue();
    }

    [Fact]
    public async Task Pick_NonSamlInstance_ThenCreateMode_TheStepIsValidAgain()
    {
        await using var ctx = CreateContext();
        var provider = ctx.RenderPopoverProvider();
        var spec = WizardSteps.ValidSpec();
        var cut = RenderStep(ctx, spec);
        await PickAsync(cut, provider, SandboxConnect.Instances(_tenant).Single(i => !i.UsesSaml));

        await cut.Find("input[data-testid=instance-mode-create]").ClickAsync(new());
        spec.Connect.InstanceId = null;

        (await cut.ValidateAsync()).ShouldBeTrue();
        cut.FindAll("[data-testid=instance-not-saml]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Render_AccountThatCannotBeOpened_SaysWhyAndOffersTheFields()
    {
        var tenant = await _host.CreateTenantAsync(_operator.Principal, new TenantInput
        {
            DisplayName = "Customer Co",
            Slug = "customer-co",
            Region = WizardSteps.Region,
            AccessMode = nameof(AwsAccessMode.AssumeRole),
            RoleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess",
            ExternalId = Guid.NewGuid().ToString("N"),

            // Nothing listens on the discard port: STS cannot be reached, so the role cannot be assumed.
            EndpointUrl = "http://127.0.0.1:9",
        });
        await using var ctx = CreateContext();

        var cut = RenderStep(ctx, WizardSteps.ValidSpec(), tenant, await _host.TenantAsync(_operator.Principal, tenant.Id));

        cut.WaitForAssertion(() => cut.Find(".mud-alert-text-info").TextContent.Trim().ShouldEndWith(
            "Enter the instance ID and alias from the Amazon Connect console instead."), TimeSpan.FromSeconds(60));
        cut.FindAll("[data-testid=instance-picker]").ShouldBeEmpty();
        cut.FindAll("[data-testid=spec-instance-id]").Count.ShouldBe(1);
    }

    [Fact]
    public async Task AddAgent_Click_AddsAnEmptyRowThatMustBeFilledIn()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        var cut = RenderStep(ctx, spec);

        await cut.Find("[data-testid=add-agent]").ClickAsync(new());

        spec.Connect.Agents.Count.ShouldBe(2);
        cut.FindAll("[data-testid=agent-row-1]").Count.ShouldBe(1);
        (await cut.ValidateAsync()).ShouldBeFalse();
        cut.FieldText("agent-email-1").ShouldBe(TenantSpecRules.AgentEmail(null));
        cut.FieldText("agent-first-1").ShouldBe("Enter a name.");
    }

    [Fact]
    public async Task AddAgent_AtTheCap_IsNotOfferedAndTheCapIsSaid()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.Agents = [.. Enumerable.Range(0, TenantSpecRules.MaxAgents).Select(i => new AgentUserSpec { Email = $"agent{i}@example.com", FirstName = "A", LastName = "B" })];
        var cut = RenderStep(ctx, spec);

        cut.FindAll("[data-testid=add-agent]").ShouldBeEmpty();
        cut.Find("[data-testid=agents-full]").TextContent.Trim().ShouldBe(TenantSpecRules.AgentCount(TenantSpecRules.MaxAgents + 1));
    }

    [Fact]
    public async Task Render_HostileAgentFirstName_IsEncodedNeverMarkup()
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.Agents[0].FirstName = WizardSteps.Hostile;

        var cut = RenderStep(ctx, spec);
        var html = await ctx.PrerenderAsync<InstanceStep>(spec, _tenant, _authorized);

        cut.FindAll("img").ShouldBeEmpty();
        cut.FieldInput("agent-first-0").GetAttribute("value").ShouldBe(WizardSteps.Hostile);
        html.ShouldContain("value=\"&lt;img src=x onerror=alert(1)&gt;\"");
        html.ShouldNotContain("<img src=x");
        html.ShouldContain("data-testid=\"instance-picker\"", customMessage: "the prerendered step is the whole step, instances listed");
    }

    [Theory]
    [InlineData(1, "US", PhoneNumberType.Did, "1 agent user", "A direct-dial number in the United States, claimed for the instance.")]
    [InlineData(2, "GB", PhoneNumberType.TollFree, "2 agent users", "A toll-free number in the United Kingdom, claimed for the instance.")]
    [InlineData(0, "DE", PhoneNumberType.Did, "0 agent users", "A direct-dial number in Germany, claimed for the instance.")]
    public async Task Render_AgentsAndPhoneNumber_WillCreateCountsInWordsAndNamesTheCountry(int agents, string country, PhoneNumberType type, string users, string number)
    {
        await using var ctx = CreateContext();
        var spec = WizardSteps.ValidSpec();
        spec.Connect.Agents = [.. Enumerable.Range(0, agents).Select(i => spec.Connect.Agents[0] with { Email = $"agent{i}@example.com" })];
        spec.Connect.PhoneNumber = new PhoneNumberSpec { CountryCode = country, Type = type };

        var items = RenderStep(ctx, spec).FindAll("ul.will-create li").Select(li => li.TextContent.Trim()).ToList();

        items.ShouldContain($"{users}, with no password (they sign in through Identity Center).");
        items.ShouldContain(number);
    }

    [Fact]
    public async Task Render_ReadOnly_RendersEveryInputReadOnlyWithoutAgentButtons()
    {
        await using var ctx = CreateContext();
        var cut = RenderStep(ctx, WizardSteps.ValidSpec(), readOnly: true);

        var inputs = cut.TextInputs();

        inputs.Select(i => i.GetAttribute("data-testid")).ShouldBe(
            ["spec-account-id", "instance-picker", "spec-instance-id", "spec-instance-alias", "agent-email-0", "agent-first-0", "agent-last-0", null, null]);
        inputs.ShouldAllBe(i => i.HasAttribute("readonly"));
        cut.FindAll("[data-testid=add-agent]").ShouldBeEmpty();
        cut.FindAll("button[aria-label^='Remove agent']").ShouldBeEmpty();
    }

    private BunitContext CreateContext() => MudTestContext.Create(ctx =>
        ctx.Services.AddSingleton(_host.Services.GetRequiredService<ConnectInstances>()));

    private IRenderedComponent<InstanceStep> RenderStep(
        BunitContext ctx, TenantSpec spec, TenantView? tenant = null, AuthorizedTenant? authorized = null, bool readOnly = false, Action? changed = null)
    {
        var cut = ctx.RenderStep<InstanceStep>(spec, tenant ?? _tenant, readOnly, p =>
        {
            p.Add(s => s.Authorized, authorized ?? _authorized);
            if (changed is not null)
            {
                p.Add(s => s.SpecChanged, changed);
            }
        });
        if (spec.Connect.InstanceMode == ConnectInstanceMode.UseExisting)
        {
            // The instances are listed after the first render, from the tenant's account; one that cannot be reached takes
            // its retries first, which on a busy machine is longer than bUnit's one-second default.
            cut.WaitForAssertion(() => cut.FindAll("[data-testid=instance-picker], .mud-alert-text-info").ShouldNotBeEmpty(), TimeSpan.FromSeconds(60));
        }

        return cut;
    }

    private static async Task<IReadOnlyList<IElement>> OpenPickerAsync(IRenderedComponent<InstanceStep> cut, IRenderedComponent<MudPopoverProvider> provider)
    {
        cut.WaitForElement("[data-testid=instance-picker]");
        await cut.Find("[data-testid=instance-picker]").Closest(".mud-input-control")!.MouseDownAsync(new());
        var popover = provider.WaitForElement(".mud-popover-open");
        return [.. popover.QuerySelectorAll(".mud-list-item")];
    }

    private static async Task PickAsync(IRenderedComponent<InstanceStep> cut, IRenderedComponent<MudPopoverProvider> provider, ConnectInstance instance)
    {
        var items = await OpenPickerAsync(cut, provider);
        await items.Single(i => i.TextContent.Contains(instance.Id, StringComparison.Ordinal)).ClickAsync(new());
    }
}
