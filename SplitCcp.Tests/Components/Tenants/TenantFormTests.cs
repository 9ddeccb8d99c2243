using AngleSharp.Dom;
using Bunit;
using SplitCcp.Core.Tenants;
using SplitCcp.Web.Components.Tenants;

namespace SplitCcp.Tests.Components.Tenants;

public sealed class TenantFormTests
{
    private const string StoredSecretHelp = "A secret is stored and never shown. Leave this empty to keep it.";

    [Fact]
    public async Task ValidateAsync_InvalidSlug_ShowsSlugRuleMessageAndReturnsFalse()
    {
        await using var ctx = MudTestContext.Create();
        var model = ValidModel();
        model.Slug = "Bad--Slug";
        var cut = RenderForm(ctx, model);

        var valid = await cut.InvokeAsync(() => cut.Instance.ValidateAsync());

        valid.ShouldBeFalse();
        FieldText(cut, "tenant-slug").ShouldBe(TenantRules.Slug("Bad--Slug"));
        FieldInput(cut, "tenant-slug").GetAttribute("aria-invalid").ShouldBe("true");
        FieldInput(cut, "tenant-display-name").GetAttribute("aria-invalid").ShouldBe("false");
    }

    [Theory]
    [InlineData("arn:aws:iam::123:role/x")]
    [InlineData("arn:aws:iam::123456789012:user/x")]
    [InlineData("arn:aws:iam::123456789012:role/x\n")]
    public async Task ValidateAsync_InvalidRoleArn_ShowsRoleArnMessageAndReturnsFalse(string roleArn)
    {
        await using var ctx = MudTestContext.Create();
        var model = ValidModel();
        model.AccessMode = AwsAccessMode.AssumeRole;
        model.RoleArn = roleArn;
        var cut = RenderForm(ctx, model);

        var valid = await cut.InvokeAsync(() => cut.Instance.ValidateAsync());

        valid.ShouldBeFalse();
        FieldText(cut, "tenant-role-arn").ShouldBe("Enter an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>.");
    }

    [Fact]
    public async Task ValidateAsync_HostileEndpointUrl_ShowsEndpointMessage()
    {
        await using var ctx = MudTestContext.Create();
        var model = ValidModel();
        model.EndpointUrl = "javascript:alert(1)";
        var cut = RenderForm(ctx, model);

        (await cut.InvokeAsync(() => cut.Instance.ValidateAsync())).ShouldBeFalse();

        FieldText(cut, "tenant-endpoint-url").ShouldBe(TenantRules.EndpointUrl("javascript:alert(1)"));
    }

    [Fact]
    public async Task ValidateAsync_ValidAssumeRoleModel_ReturnsTrueWithoutErrors()
    {
        await using var ctx = MudTestContext.Create();
        var model = ValidModel();
        model.AccessMode = AwsAccessMode.AssumeRole;
        model.RoleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess";
        var cut = RenderForm(ctx, model);

        (await cut.InvokeAsync(() => cut.Instance.ValidateAsync())).ShouldBeTrue();

        cut.FindAll("input[aria-invalid=true]").ShouldBeEmpty();
    }

    [Fact]
    public async Task ShowServerErrorsAsync_SlugTaken_ShowsServerMessageAtSlug()
    {
        await using var ctx = MudTestContext.Create();
        var cut = RenderForm(ctx, ValidModel());
        var errors = new Dictionary<string, string[]> { ["slug"] = ["The slug 'acme-support' is already used by another tenant."] };

        await cut.InvokeAsync(() => cut.Instance.ShowServerErrorsAsync(errors));

        FieldText(cut, "tenant-slug").ShouldBe("The slug 'acme-support' is already used by another tenant.");
        (await cut.InvokeAsync(() => cut.Instance.ValidateAsync())).ShouldBeTrue("a new validation drops the server's old verdict");
    }

    [Fact]
    public async Task DisplayNameInput_NewForm_FillsSlugFromName()
    {
        await using var ctx = MudTestContext.Create();
        var model = TenantFormModel.New();
        var cut = RenderForm(ctx, model, isNew: true);

        await FieldInput(cut, "tenant-display-name").InputAsync("2024 Acme Support GmbH & Co.");

        model.Slug.ShouldBe("acme-support-gmbh-co");
        FieldInput(cut, "tenant-slug").GetAttribute("value").ShouldBe("acme-support-gmbh-co");
    }

    [Fact]
    public async Task DisplayNameInput_AfterSlugEdited_LeavesSlugAlone()
    {
        await using var ctx = MudTestContext.Create();
        var model = TenantFormModel.New();
        var cut = RenderForm(ctx, model, isNew: true);

        await FieldInput(cut, "tenant-slug").InputAsync("my-own-slug");
        await FieldInput(cut, "tenant-display-name").InputAsync("Acme Support");

        model.Slug.ShouldBe("my-own-slug");
        model.DisplayName.ShouldBe("Acme Support");
    }

    [Fact]
    public async Task DisplayNameInput_ExistingTenant_KeepsStoredSlug()
    {
        await using var ctx = MudTestContext.Create();
        var model = ValidModel();
        var cut = RenderForm(ctx, model, isNew: false);

        await FieldInput(cut, "tenant-display-name").InputAsync("Renamed Tenant");

        model.Slug.ShouldBe("acme-support");
    }

    [Fact]
    public async Task AccessModeSelect_ChooseAssumeRole_ShowsRoleArnAndExternalIdFields()
    {
        await using var ctx = MudTestContext.Create();
        var provider = ctx.RenderPopoverProvider();
        var model = TenantFormModel.New();
        var cut = RenderForm(ctx, model, isNew: true);
        cut.FindAll("[data-testid=tenant-role-arn]").ShouldBeEmpty();

        await ChooseAccessModeAsync(cut, provider, "Assume a role in the customer's account (recommended)");

        model.AccessMode.ShouldBe(AwsAccessMode.AssumeRole);
        cut.WaitForAssertion(() => cut.FindAll("[data-testid=tenant-role-arn]").Count.ShouldBe(1));
        FieldInput(cut, "tenant-external-id").GetAttribute("value")!.ShouldMatch("^[0-9a-f]{32}$");
        cut.FindAll("[data-testid=tenant-secret-access-key]").ShouldBeEmpty();
        FieldText(cut, "tenant-access-mode").ShouldBe("The portal assumes a role in the customer's account with an external ID.");
    }

    [Fact]
    public async Task AccessModeSelect_ChooseAccessKeysWithStoredSecret_ShowsStoredHelpAndAcceptsEmptySecret()
    {
        await using var ctx = MudTestContext.Create();
        var provider = ctx.RenderPopoverProvider();
        var model = ValidModel();
        model.AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
        var cut = RenderForm(ctx, model, hasStoredSecret: true);

        await ChooseAccessModeAsync(cut, provider, "Access keys");

        cut.WaitForAssertion(() => FieldText(cut, "tenant-secret-access-key").ShouldBe(StoredSecretHelp));
        FieldInput(cut, "tenant-secret-access-key").GetAttribute("type").ShouldBe("password");
        FieldInput(cut, "tenant-secret-access-key").HasAttribute("required").ShouldBeFalse();
        cut.FindAll("[data-testid=tenant-role-arn]").ShouldBeEmpty();
        (await cut.InvokeAsync(() => cut.Instance.ValidateAsync())).ShouldBeTrue();
    }

    [Fact]
    public async Task ValidateAsync_AccessKeysWithoutStoredSecret_RequiresTheSecret()
    {
        await using var ctx = MudTestContext.Create();
        var model = ValidModel();
        model.AccessMode = AwsAccessMode.AccessKeys;
        model.AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
        var cut = RenderForm(ctx, model, hasStoredSecret: false);
        FieldText(cut, "tenant-secret-access-key").ShouldBe("Stored encrypted; it is never shown again after saving.");

        (await cut.InvokeAsync(() => cut.Instance.ValidateAsync())).ShouldBeFalse();

        FieldText(cut, "tenant-secret-access-key").ShouldBe(TenantRules.SecretAccessKey("", hasStoredSecret: false));
    }

    [Fact]
    public async Task ReadOnlyForm_ExistingTenant_RendersEveryTextFieldReadOnly()
    {
        await using var ctx = MudTestContext.Create();
        var model = ValidModel();
        model.AccessMode = AwsAccessMode.AssumeRole;
        var cut = RenderForm(ctx, model, readOnly: true);

        var inputs = cut.FindAll("input[data-testid]");

        inputs.Select(i => i.GetAttribute("data-testid")).ShouldBe(
            ["tenant-display-name", "tenant-slug", "tenant-access-mode", "tenant-role-arn", "tenant-external-id", "tenant-endpoint-url"], ignoreOrder: true);
        inputs.ShouldAllBe(i => i.HasAttribute("readonly"));
        cut.Find("input[data-testid=tenant-access-mode]").GetAttribute("value").ShouldBe("Assume role", "the closed field shows the mode's short name, which a phone has room for");
    }

    [Fact]
    public async Task AccessLockedForm_TenantAdmin_KeepsTheAccessFieldsReadOnlyAndTheKeysEditable()
    {
        await using var ctx = MudTestContext.Create();
        var model = ValidModel();
        model.AccessMode = AwsAccessMode.AssumeRole;
        var cut = ctx.Render<TenantForm>(p => p.Add(f => f.Model, model).Add(f => f.AccessLocked, true));

        foreach (var field in new[] { "tenant-access-mode", "tenant-role-arn", "tenant-external-id", "tenant-endpoint-url" })
        {
            IsReadOnly(FieldInput(cut, field)).ShouldBeTrue(field);
        }

        FieldText(cut, "tenant-endpoint-url").ShouldBe("Set by your MSP operator.");
        IsReadOnly(FieldInput(cut, "tenant-display-name")).ShouldBeFalse();
        cut.FindAll("[aria-label='Generate a new external ID']").ShouldBeEmpty();

        model.AccessMode = AwsAccessMode.AccessKeys;
        cut.Render();
        IsReadOnly(FieldInput(cut, "tenant-access-key-id")).ShouldBeFalse();
        IsReadOnly(FieldInput(cut, "tenant-secret-access-key")).ShouldBeFalse();
    }

    [Fact]
    public async Task RegionList_IsGroupedByPartition_AndOffersOnlyRegionsWithConnectAndAppStream()
    {
        await using var ctx = MudTestContext.Create();
        var provider = ctx.RenderPopoverProvider();
        var cut = RenderForm(ctx, ValidModel(), isNew: true);

        await FieldInput(cut, "tenant-region").Closest(".mud-input-control")!.MouseDownAsync(new());
        var list = provider.WaitForElement(".mud-popover-open");

        list.QuerySelector("[data-testid=tenant-region-group-aws]")!.TextContent.Trim().ShouldBe("AWS");
        list.QuerySelector("[data-testid=tenant-region-group-aws-us-gov]")!.TextContent.Trim().ShouldBe("AWS GovCloud (US)");
        list.QuerySelectorAll(".mud-list-item:not(.region-group)").Select(e => e.TextContent.Trim().Split(' ')[0])
            .ShouldBe([.. AwsPartitions.Commercial.Regions, "us-gov-west-1"]);
        cut.FindAll("[data-testid^=tenant-region-group]").ShouldBeEmpty("the partition labels belong in the open list, not beside the closed select");
        list.TextContent.ShouldContain("eu-west-2 — Europe (London)");
    }

    [Fact]
    public async Task ValidateAsync_GovCloudRegion_SaysAtTheRegionWhyItCannotBeUsed()
    {
        await using var ctx = MudTestContext.Create();
        var model = ValidModel();
        model.Region = "us-gov-west-1";
        var cut = RenderForm(ctx, model);

        var valid = await cut.InvokeAsync(() => cut.Instance.ValidateAsync());

        valid.ShouldBeFalse();
        FieldText(cut, "tenant-region").ShouldBe(AwsPartitions.GovCloud.NotSupported);
    }

    private static TenantFormModel ValidModel() => new()
    {
        DisplayName = "Acme Support",
        Slug = "acme-support",
        Region = "eu-west-2",
        ExternalId = TenantFormModel.NewExternalId(),
        Version = 3,
    };

    private static IRenderedComponent<TenantForm> RenderForm(
        BunitContext ctx, TenantFormModel model, bool isNew = false, bool hasStoredSecret = false, bool readOnly = false) =>
        ctx.Render<TenantForm>(p => p
            .Add(f => f.Model, model)
            .Add(f => f.IsNew, isNew)
            .Add(f => f.HasStoredSecret, hasStoredSecret)
            .Add(f => f.ReadOnly, readOnly));

    /// <summary>A text field's input is readonly; a select's combobox says so by its class.</summary>
    private static bool IsReadOnly(IElement field) => field.HasAttribute("readonly") || field.ClassList.Contains("mud-readonly");

    private static IElement FieldInput(IRenderedComponent<TenantForm> cut, string testId) => cut.Find($"[data-testid={testId}]");

    /// <summary>What shows under a field: its helper text, or its error once validation failed.</summary>
    private static string FieldText(IRenderedComponent<TenantForm> cut, string testId)
    {
        var describedBy = FieldInput(cut, testId).GetAttribute("aria-describedby");
        describedBy.ShouldNotBeNullOrEmpty();
        return cut.Find($"[id='{describedBy}']").TextContent.Trim();
    }

    private static async Task ChooseAccessModeAsync(
        IRenderedComponent<TenantForm> cut, IRenderedComponent<MudBlazor.MudPopoverProvider> provider, string itemText)
    {
        await FieldInput(cut, "tenant-access-mode").Closest(".mud-input-control")!.MouseDownAsync(new());
        var item = provider.WaitForElement(".mud-popover-open");
        var option = item.QuerySelectorAll(".mud-list-item").Single(e => e.TextContent.Trim() == itemText);
        await option.ClickAsync(new());
    }
}
