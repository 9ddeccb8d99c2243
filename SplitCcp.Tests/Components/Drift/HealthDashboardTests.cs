using System.Reflection;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Web.Components.Drift;

namespace SplitCcp.Tests.Components.Drift;

/// <summary>The dashboard against the real <see cref="DriftService"/>: one healthy, two drifted, one failing and one unchecked tenant.</summary>
public sealed class HealthDashboardTests : IAsyncLifetime
{
    private static readonly TimeSpan s_debounce = TimeSpan.FromSeconds(5);

    private DriftComponentHost _host = null!;
    private TenantView _healthy = null!;
    private TenantView _drifted = null!;
    private TenantView _unchecked = null!;

    public async Task InitializeAsync()
    {
        _host = await DriftComponentHost.StartAsync();
        _healthy = await _host.CreateTenantAsync("alpha", "Alpha Care");
        _drifted = await _host.CreateTenantAsync("bravo", "Bravo Support");
        var drifted2 = await _host.CreateTenantAsync("charlie", "Charlie Help");
        var failing = await _host.CreateTenantAsync("delta", "Delta Desk");
        _unchecked = await _host.CreateTenantAsync("echo", "Echo Line");
        await _host.StoreCheckAsync(_healthy.Id, TenantHealthStatus.Healthy);
        await _host.StoreCheckAsync(_drifted.Id, TenantHealthStatus.Drifted,
            [DriftComponentHost.Drifted("hosting/bucket-policy", "S3 bucket policy", new FieldChange("policy", "allow", null))]);
        await _host.StoreCheckAsync(drifted2.Id, TenantHealthStatus.Drifted,
            [DriftComponentHost.Drifted("connect/instance", "Amazon Connect instance", new FieldChange("alias", "charlie", "other"))]);
        await _host.StoreCheckAsync(failing.Id, TenantHealthStatus.Failing, message: "The role cannot be assumed.");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Render_TenantsInEachState_ShowsTheCountPerStatusAndEveryRow()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderDashboard(ctx);

        Count(cut, TenantHealthStatus.Healthy).ShouldBe("1");
        Count(cut, TenantHealthStatus.Drifted).ShouldBe("2");
        Count(cut, TenantHealthStatus.Failing).ShouldBe("1");
        Count(cut, TenantHealthStatus.Unknown).ShouldBe("1");
        Rows(cut).Select(r => (r.GetAttribute("data-status"), r.QuerySelector("a")!.TextContent.Trim()))
            .ShouldBe([("Failing", "Delta Desk"), ("Drifted", "Bravo Support"), ("Drifted", "Charlie Help"), ("Unknown", "Echo Line"), ("Healthy", "Alpha Care")]);
        cut.Find("[data-testid=health-table]").TextContent.ShouldContain("The role cannot be assumed.");
    }

    [Fact]
    public async Task Render_PendingTenant_HasItsOwnCardAndComesAfterTheDriftedWithWhatIsLeft()
    {
        await _host.StoreCheckAsync(_unchecked.Id, TenantHealthStatus.Pending,
            [new("identity-center/application", "Identity Center SAML application", DriftState.Pending, [new FieldChange("applicationArn", "(the application's ARN)", null)], null)],
            message: "2 console steps left");
        await using var ctx = _host.CreateContext();
        var cut = RenderDashboard(ctx);

        Count(cut, TenantHealthStatus.Pending).ShouldBe("1");
        Count(cut, TenantHealthStatus.Unknown).ShouldBe("0");
        Count(cut, TenantHealthStatus.Drifted).ShouldBe("2", "a setup still to finish is not drift");
        cut.Find("[data-testid=health-count-Pending]").TextContent.ShouldContain("Pending");
        Rows(cut).Select(r => r.GetAttribute("data-status")).ShouldBe(["Failing", "Drifted", "Drifted", "Pending", "Healthy"]);
        Row(cut, _unchecked.Id).ParentElement!.TextContent.ShouldContain("2 console steps left");

        await cut.Find("[data-testid=health-count-Pending]").ClickAsync(new());

        cut.WaitForAssertion(() => Rows(cut).Count.ShouldBe(1));
        cut.Instance.LastQuery.ShouldBe(new TenantHealthQuery(TenantHealthStatus.Pending, null, 1, 25));
        cut.Find("[data-testid=health-filter]").TextContent.ShouldContain("Pending only");
    }

    [Fact]
    public async Task StatusCard_Clicked_QueriesThatStatusFromTheFirstPageAndClickedAgainShowsAll()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderDashboard(ctx);

        await cut.Find("[data-testid=health-count-Drifted]").ClickAsync(new());

        cut.WaitForAssertion(() => Rows(cut).Count.ShouldBe(2));
        cut.Instance.LastQuery.ShouldBe(new TenantHealthQuery(TenantHealthStatus.Drifted, null, 1, 25));
        Rows(cut).ShouldAllBe(r => r.GetAttribute("data-status") == "Drifted");
        cut.Find("[data-testid=health-count-Drifted]").GetAttribute("aria-pressed").ShouldBe("true");
        cut.Find("[data-testid=health-filter]").TextContent.ShouldContain("Drifted only");

        await cut.Find("[data-testid=health-count-Drifted]").ClickAsync(new());

        cut.WaitForAssertion(() => Rows(cut).Count.ShouldBe(5));
        cut.Instance.LastQuery!.Status.ShouldBeNull();
        cut.Find("[data-testid=health-count-Drifted]").GetAttribute("aria-pressed").ShouldBe("false");
    }

    [Fact]
    public async Task Search_NothingMatches_SaysSoWithTheTerm()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderDashboard(ctx);

        await cut.Find("input[data-testid=health-search], [data-testid=health-search] input").InputAsync("zulu");
        _host.Host.Time.Advance(TimeSpan.FromMilliseconds(300));

        cut.WaitForAssertion(() => cut.Find("[data-testid=health-no-match]").TextContent.ShouldContain("No tenant matches “zulu”."), s_debounce);
        cut.Instance.LastQuery!.Search.ShouldBe("zulu");
        Rows(cut).ShouldBeEmpty();
        Count(cut, TenantHealthStatus.Drifted).ShouldBe("2");
    }

    [Fact]
    public async Task Checked_TenantCheckedElsewhere_UpdatesCountsAndItsRowWithoutReload()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderDashboard(ctx);

        await _host.StoreCheckAsync(_unchecked.Id, TenantHealthStatus.Drifted,
            [DriftComponentHost.Drifted("iam/role", "IAM role", new FieldChange("trust", "portal", "anyone"))]);
        _host.Notifier.Notify(_unchecked.Id);

        cut.WaitForAssertion(() => Count(cut, TenantHealthStatus.Drifted).ShouldBe("3"));
        Count(cut, TenantHealthStatus.Unknown).ShouldBe("0");
        Row(cut, _unchecked.Id).GetAttribute("data-status").ShouldBe("Drifted");
    }

    [Fact]
    public async Task Checked_BurstOfNotifications_RefreshesOnceAtOnceAndOnceMoreAfterTheInterval()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderDashboard(ctx);
        await _host.StoreCheckAsync(_unchecked.Id, TenantHealthStatus.Failing, message: "Timed out.");

        for (var i = 0; i < 200; i++)
        {
            _host.Notifier.Notify(i % 2 == 0 ? _unchecked.Id : _healthy.Id);
        }

        cut.WaitForAssertion(() => Count(cut, TenantHealthStatus.Failing).ShouldBe("2"));
        cut.Instance.LiveRefreshes.ShouldBe(1);

        _host.Host.Time.Advance(HealthDashboard.RefreshInterval);
        cut.WaitForAssertion(() => cut.Instance.LiveRefreshes.ShouldBe(2));
        _host.Host.Time.Advance(HealthDashboard.RefreshInterval * 4);
        await Task.Delay(200);
        cut.Instance.LiveRefreshes.ShouldBe(2);
    }

    [Fact]
    public async Task Dispose_Page_UnsubscribesFromTheNotifierAndRefreshesNoMore()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderDashboard(ctx);
        var dashboard = cut.Instance;
        Subscribers(nameof(DriftNotifier.Checked)).ShouldBe(1);
        Subscribers(nameof(DriftNotifier.PassChanged)).ShouldBe(1);
        _host.Notifier.Notify(_unchecked.Id);
        cut.WaitForAssertion(() => dashboard.LiveRefreshes.ShouldBe(1));
        _host.Host.Time.Advance(HealthDashboard.RefreshInterval);

        await ctx.DisposeComponentsAsync();
        _host.Notifier.Notify(_unchecked.Id);
        await Task.Delay(100);

        Subscribers(nameof(DriftNotifier.Checked)).ShouldBe(0);
        Subscribers(nameof(DriftNotifier.PassChanged)).ShouldBe(0);
        dashboard.LiveRefreshes.ShouldBe(1);
    }

    [Fact]
    public async Task Render_WorkerSwitchedOffAndNoPassYet_SaysSoOnce()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderDashboard(ctx);

        cut.Find("[data-testid=last-pass]").TextContent.ShouldBe("Scheduled drift checks are switched off; check tenants from here or from their pages.");
        cut.FindAll("[data-testid=next-pass]").ShouldBeEmpty();
    }

    [Fact]
    public async Task CheckAll_Clicked_ChecksEveryTenantAndShowsThePassAndNewCounts()
    {
        await using var ctx = _host.CreateContext();
        var cut = RenderDashboard(ctx);

        await cut.Find("[data-testid=check-all]").ClickAsync(new());

        // None of these tenants has a finished setup, so every check finds nothing to compare: Unknown.
        cut.WaitForAssertion(() => cut.Find("[data-testid=last-pass]").TextContent.ShouldStartWith("Last pass just now: 5 tenants checked in"), s_debounce);
        Count(cut, TenantHealthStatus.Unknown).ShouldBe("5");
        Count(cut, TenantHealthStatus.Drifted).ShouldBe("0");
        cut.Find("[data-testid=next-pass]").TextContent.ShouldBe("Scheduled checks are off.");
        cut.Find("[data-testid=check-all]").HasAttribute("disabled").ShouldBeFalse();
    }

    [Fact]
    public async Task Render_Viewer_SeesOnlyTheirTenantsAndNoCheckAll()
    {
        var viewer = await _host.Host.CreateUserAsync(Roles.Viewer, _drifted.Id);
        await using var ctx = _host.CreateContext(viewer);
        var cut = RenderDashboard(ctx);

        cut.WaitForAssertion(() => Rows(cut).Single().GetAttribute("data-tenant-id").ShouldBe(_drifted.Id.ToString()));
        Count(cut, TenantHealthStatus.Drifted).ShouldBe("1");
        Count(cut, TenantHealthStatus.Failing).ShouldBe("0");
        cut.FindAll("[data-testid=check-all]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Render_ViewerAfterAPass_SeesWhenItRanButNotHowManyTenantsNorHowLong()
    {
        var viewer = await _host.Host.CreateUserAsync(Roles.Viewer, _drifted.Id);
        await _host.Host.Services.GetRequiredService<DriftWorker>().CheckAllAsync();
        await using var operatorCtx = _host.CreateContext();
        await using var viewerCtx = _host.CreateContext(viewer);

        RenderDashboard(operatorCtx).Find("[data-testid=last-pass]").TextContent.ShouldStartWith("Last pass just now: 5 tenants checked in");
        RenderDashboard(viewerCtx).Find("[data-testid=last-pass]").TextContent.ShouldBe("Last pass just now.");
    }

    [Fact]
    public async Task Checked_TenantOutsideTheViewersScope_DoesNotRefreshTheirPage()
    {
        var viewer = await _host.Host.CreateUserAsync(Roles.Viewer, _drifted.Id);
        await using var ctx = _host.CreateContext(viewer);
        var cut = RenderDashboard(ctx);

        _host.Notifier.Notify(_unchecked.Id);
        await Task.Delay(100);
        cut.Instance.LiveRefreshes.ShouldBe(0);

        _host.Notifier.Notify(_drifted.Id);
        cut.WaitForAssertion(() => cut.Instance.LiveRefreshes.ShouldBe(1));
    }

    /// <summary>The handlers on one of the notifier's events: a page left subscribed would keep its circuit alive.</summary>
    private int Subscribers(string eventName) =>
        (typeof(DriftNotifier).GetField(eventName, BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(_host.Notifier) as Delegate)?.GetInvocationList().Length ?? 0;

    private static IRenderedComponent<HealthDashboard> RenderDashboard(BunitContext ctx)
    {
        var cut = ctx.Render<HealthDashboard>();
        cut.WaitForAssertion(() => Rows(cut).ShouldNotBeEmpty());
        return cut;
    }

    private static string Count(IRenderedComponent<HealthDashboard> cut, TenantHealthStatus status) =>
        cut.Find($"[data-testid=health-count-{status}] [data-testid=health-count]").TextContent.Trim();

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<HealthDashboard> cut) => cut.FindAll("[data-testid=health-row]");

    private static IElement Row(IRenderedComponent<HealthDashboard> cut, Guid tenantId) => cut.Find($"[data-testid=health-row][data-tenant-id='{tenantId}']");
}
