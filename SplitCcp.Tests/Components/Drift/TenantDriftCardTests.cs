using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Web.Components.Drift;

namespace SplitCcp.Tests.Components.Drift;

/// <summary>The tenant page's drift card against the real <see cref="DriftService"/>, with check results stored as the checker stores them.</summary>
public sealed class TenantDriftCardTests : IAsyncLifetime
{
    private const string LongPolicy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudfront.amazonaws.com\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acme-ccp/*\"}]}";

    private static readonly DriftResource[] s_resources =
    [
        new("hosting/bucket", "S3 bucket for the CCP pages", DriftState.InSync, [], null),
        new("connect/instance", "Amazon Connect instance", DriftState.Drifted, [new FieldChange("alias", "acme-ccp", "acme-old")], null),
        new("hosting/bucket-policy", "S3 bucket policy", DriftState.Missing, [new FieldChange("policy", LongPolicy, null)], null),
        new("iam/role", "IAM federation role", DriftState.Error, [], "AWS refused to describe the role: the portal's role may not call iam:GetRole."),
        new("appstream/fleet", "AppStream fleet", DriftState.NotChecked, [], "Waits for: AppStream image."),
    ];

    private DriftComponentHost _host = null!;
    private TenantView _tenant = null!;
    private AuthorizedTenant _operatorTenant = null!;

    public async Task InitializeAsync()
    {
        _host = await DriftComponentHost.StartAsync();
        _tenant = await _host.CreateTenantAsync("acme", "Acme Support");
        _operatorTenant = await _host.TenantAsync(_host.Operator.Principal, _tenant.Id);
        await _host.StoreCheckAsync(_tenant.Id, TenantHealthStatus.Drifted, s_resources);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Render_DriftedReport_ListsWhatIsOutOfLineFirstWithExpectedAndActualValues()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderCard(ctx);

        cut.Find("[data-testid=drift-status]").GetAttribute("data-status").ShouldBe("Drifted");
        Resources(cut).Select(r => (r.GetAttribute("data-key"), r.GetAttribute("data-state"))).ShouldBe(
        [
            ("iam/role", "Error"), ("connect/instance", "Drifted"), ("hosting/bucket-policy", "Missing"), ("appstream/fleet", "NotChecked"),
        ]);

        var instance = Resource(cut, "connect/instance");
        instance.QuerySelector("[data-testid=drift-change]")!.HasAttribute("data-layout").ShouldBeFalse();
        instance.QuerySelector("[data-testid=drift-expected]")!.TextContent.ShouldBe("acme-ccp");
        instance.QuerySelector("[data-testid=drift-actual]")!.TextContent.ShouldBe("acme-old");

        // The policy is indented and gets the full width, expected above actual.
        var policy = Resource(cut, "hosting/bucket-policy");
        policy.QuerySelector("[data-testid=drift-change]")!.GetAttribute("data-layout").ShouldBe("stacked");
        var expected = policy.QuerySelector("[data-testid=drift-expected]")!;
        expected.TagName.ShouldBe("PRE");
        expected.TextContent.ShouldContain("\n  \"Version\": \"2012-10-17\",\n");
        System.Text.Json.Nodes.JsonNode.Parse(expected.TextContent)!.ToJsonString().ShouldBe(LongPolicy);
        policy.QuerySelector("[data-testid=drift-actual]")!.TextContent.ShouldBe("(missing)");
        Resource(cut, "iam/role").QuerySelector("[data-testid=drift-resource-message]")!.TextContent
            .ShouldBe("AWS refused to describe the role: the portal's role may not call iam:GetRole.");
        var fleet = Resource(cut, "appstream/fleet");
        fleet.ClassList.ShouldContain("drift-not-checked");
        fleet.TextContent.ShouldContain("Waits for: AppStream image.");
    }

    [Fact]
    public async Task ShowInSync_Clicked_AddsTheResourcesThatMatch()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderCard(ctx);
        cut.FindAll("[data-testid=drift-resource][data-key='hosting/bucket']").ShouldBeEmpty();

        await cut.Find("[data-testid=drift-show-in-sync]").ClickAsync(new());

        Resource(cut, "hosting/bucket").GetAttribute("data-state").ShouldBe("InSync");
        Resources(cut).Count.ShouldBe(5);
    }

    [Fact]
    public async Task Render_WithoutWriteAccess_ShowsNoWriteActions()
    {
        var viewer = await _host.Host.CreateUserAsync(Roles.Viewer, _tenant.Id);
        await using var ctx = _host.CreateContext(viewer);
        var cut = RenderCard(ctx, await _host.TenantAsync(viewer.Principal, _tenant.Id));

        cut.FindAll("[data-testid=check-now]").ShouldBeEmpty();
        cut.FindAll("[data-testid=apply-fix]").ShouldBeEmpty();
        cut.FindAll("[data-testid=auto-remediate]").ShouldBeEmpty();
        cut.Find("[data-testid=auto-remediate-state]").TextContent.ShouldBe("Auto-remediation is off.");
        Resources(cut).Count.ShouldBe(4);
    }

    [Fact]
    public async Task Render_Writer_ShowsCheckNowAndApplyFixEnabledWhileDrifted()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderCard(ctx);

        cut.Find("[data-testid=check-now]").HasAttribute("disabled").ShouldBeFalse();
        cut.Find("[data-testid=apply-fix]").HasAttribute("disabled").ShouldBeFalse();
        cut.FindAll("[data-testid=auto-remediate]").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Render_WriterOfHealthyTenant_DisablesApplyFix()
    {
        await _host.StoreCheckAsync(_tenant.Id, TenantHealthStatus.Healthy, [s_resources[0]]);
        await using var ctx = _host.CreateContext();
        var cut = RenderCard(ctx);

        cut.Find("[data-testid=drift-status]").GetAttribute("data-status").ShouldBe("Healthy");
        cut.Find("[data-testid=apply-fix]").HasAttribute("disabled").ShouldBeTrue();
        cut.Find("[data-testid=drift-resources]").TextContent.ShouldContain("The one resource matches the setup.");
    }

    [Fact]
    public async Task Render_PendingReport_SaysWhatIsLeftShowsRowsAsPendingAndOffersNoFix()
    {
        await _host.StoreCheckAsync(_tenant.Id, TenantHealthStatus.Pending,
        [
            s_resources[0],
            new("identity-center/application", "Identity Center SAML application", DriftState.Pending,
                [new FieldChange("applicationArn", "(the application's ARN)", null)], "Needs a step in the AWS console; the tenant's plan has the instructions."),
            new("iam/saml-provider", "IAM SAML identity provider", DriftState.NotChecked, [], "Waits for: Identity Center SAML application."),
        ], message: "2 console steps left");
        await using var ctx = _host.CreateContext();
        var cut = RenderCard(ctx);

        cut.Find("[data-testid=drift-status]").GetAttribute("data-status").ShouldBe("Pending");
        cut.Find("[data-testid=drift-status]").TextContent.ShouldContain("Pending");
        cut.Find("[data-testid=drift-message]").TextContent.ShouldStartWith("The setup is not finished: 2 console steps left.");
        cut.Find("[data-testid=apply-fix]").HasAttribute("disabled").ShouldBeTrue();
        var application = Resource(cut, "identity-center/application");
        application.GetAttribute("data-state").ShouldBe("Pending");
        application.TextContent.ShouldContain("Pending");
        application.QuerySelector("[data-testid=drift-actual]")!.TextContent.ShouldBe("(not yet)");
        Resources(cut).Select(r => r.GetAttribute("data-key")).ShouldBe(["identity-center/application", "iam/saml-provider"]);
    }

    [Fact]
    public async Task ApplyFix_Clicked_HandsTheFixToThePage()
    {
        await using var ctx = _host.CreateContext();
        var asked = 0;
        var cut = RenderCard(ctx, onApplyFix: () => asked++);

        await cut.Find("[data-testid=apply-fix]").ClickAsync(new());

        asked.ShouldBe(1);
    }

    [Fact]
    public async Task CheckNow_Clicked_ChecksTheTenantAndShowsTheNewResult()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderCard(ctx);

        await cut.Find("[data-testid=check-now]").ClickAsync(new());

        // The tenant has no setup saved, so the real checker finds nothing to compare.
        cut.WaitForAssertion(() => cut.Find("[data-testid=drift-status]").GetAttribute("data-status").ShouldBe("Unknown"));
        cut.Find("[data-testid=drift-message]").TextContent.ShouldBe("The setup is not finished yet, so there is nothing to compare AWS with.");
        Resources(cut).ShouldBeEmpty();
        (await _host.Drift.GetHealthAsync(_operatorTenant))!.Status.ShouldBe(TenantHealthStatus.Unknown);
    }

    [Fact]
    public async Task CheckNowAsync_CalledByThePageAfterAnApply_LeavesCheckingOnceTheCheckIsDone()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderCard(ctx);

        // Outside any event of the card's own: the page calls it when an apply it started has finished.
        await cut.InvokeAsync(() => cut.Instance.CheckNowAsync());

        cut.WaitForAssertion(() => cut.Find("[data-testid=drift-status]").GetAttribute("data-status").ShouldBe("Unknown"));
        cut.Find("[data-testid=check-now]").TextContent.Trim().ShouldBe("Check now");
        cut.Find("[data-testid=check-now]").HasAttribute("disabled").ShouldBeFalse();
    }

    [Fact]
    public async Task Checked_NotificationForThisTenant_ReloadsTheCardAndOthersDoNot()
    {
        var other = await _host.CreateTenantAsync("other", "Other Co");
        await using var ctx = _host.CreateContext();
        var cut = RenderCard(ctx);
        await _host.StoreCheckAsync(_tenant.Id, TenantHealthStatus.Failing, message: "The check took longer than 2 minutes and was stopped.");

        _host.Notifier.Notify(other.Id);
        await Task.Delay(200);
        cut.Find("[data-testid=drift-status]").GetAttribute("data-status").ShouldBe("Drifted");

        _host.Notifier.Notify(_tenant.Id);
        cut.WaitForAssertion(() => cut.Find("[data-testid=drift-status]").GetAttribute("data-status").ShouldBe("Failing"));
        cut.Find("[data-testid=drift-message]").TextContent.ShouldBe("The check took longer than 2 minutes and was stopped.");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AutoRemediate_SwitchedOn_AsksFirstAndSavesOnlyWhenConfirmed(bool confirm)
    {
        await using var ctx = _host.CreateContext();
        var dialogs = ctx.Render<MudDialogProvider>();
        var cut = RenderCard(ctx);

        // The switch's handler waits for the answer, so the change completes only once the dialog is closed.
        var change = SwitchInput(cut).ChangeAsync(true);
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("Turn on auto-remediation?"));
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == (confirm ? "Turn on" : "Cancel")).ClickAsync(new());
        await change.WaitAsync(TimeSpan.FromSeconds(5));

        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").ShouldBeEmpty());
        cut.WaitForAssertion(() => SwitchInput(cut).HasAttribute("checked").ShouldBe(confirm));
        (await _host.Drift.GetHealthAsync(_operatorTenant))!.AutoRemediate.ShouldBe(confirm);
    }

    [Fact]
    public async Task AutoRemediate_SwitchedOff_SavesWithoutAsking()
    {
        (await _host.Drift.SetAutoRemediateAsync(_operatorTenant, true)).ShouldBe(TenantAccessResult.Allowed);
        await using var ctx = _host.CreateContext();
        var dialogs = ctx.Render<MudDialogProvider>();
        var cut = RenderCard(ctx);
        SwitchInput(cut).HasAttribute("checked").ShouldBeTrue();

        await SwitchInput(cut).ChangeAsync(false);

        cut.WaitForAssertion(() => SwitchInput(cut).HasAttribute("checked").ShouldBeFalse());
        dialogs.FindAll(".mud-dialog").ShouldBeEmpty();
        (await _host.Drift.GetHealthAsync(_operatorTenant))!.AutoRemediate.ShouldBeFalse();
    }

    [Fact]
    public async Task History_Expanded_DescribesEachStretchOfResults()
    {
        var day = _host.Now.Date;
        await _host.StoreCheckAsync(_tenant.Id, TenantHealthStatus.Healthy, [s_resources[0]],
            firstCheckedAt: day.AddHours(9), lastCheckedAt: day.AddHours(10), checks: 13, latest: false);
        await _host.StoreCheckAsync(_tenant.Id, TenantHealthStatus.Drifted, s_resources[..3],
            firstCheckedAt: day.AddHours(10).AddMinutes(5), lastCheckedAt: day.AddHours(10).AddMinutes(35), checks: 7);
        await using var ctx = _host.CreateContext();
        var cut = RenderCard(ctx);

        await cut.Find("[data-testid=drift-history] .mud-expand-panel-header").ClickAsync(new());

        cut.WaitForAssertion(() => cut.FindAll("[data-testid=drift-history-entry]").Count.ShouldBe(3));
        var entries = cut.FindAll("[data-testid=drift-history-entry]");
        entries[0].TextContent.ShouldContain("Drifted at 12:00, 1 check, 2 resources out of line, 1 error");
        entries[1].TextContent.ShouldContain("Drifted from 10:05 to 10:35, 7 checks, 2 resources out of line");
        entries[1].TextContent.ShouldContain("Amazon Connect instance, S3 bucket policy");
        entries[2].TextContent.ShouldContain("Healthy from 09:00 to 10:00, 13 checks");
        entries.Select(e => e.GetAttribute("data-status")).ShouldBe(["Drifted", "Drifted", "Healthy"]);
    }

    private IRenderedComponent<TenantDriftCard> RenderCard(BunitContext ctx, AuthorizedTenant? tenant = null, Action? onApplyFix = null)
    {
        var cut = ctx.Render<TenantDriftCard>(p =>
        {
            p.Add(c => c.Authorized, tenant ?? _operatorTenant);
            if (onApplyFix is not null)
            {
                p.Add(c => c.OnApplyFix, onApplyFix);
            }
        });
        cut.WaitForElement("[data-testid=drift-status]");
        return cut;
    }

    private static IReadOnlyList<IElement> Resources(IRenderedComponent<TenantDriftCard> cut) => cut.FindAll("[data-testid=drift-resource]");

    private static IElement Resource(IRenderedComponent<TenantDriftCard> cut, string key) => cut.Find($"[data-testid=drift-resource][data-key='{key}']");

    private static IElement SwitchInput(IRenderedComponent<TenantDriftCard> cut) =>
        cut.Find("[data-testid=auto-remediate] input, input[data-testid=auto-remediate]");
}
