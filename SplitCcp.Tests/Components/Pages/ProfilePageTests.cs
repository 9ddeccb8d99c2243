using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Core;
using SplitCcp.Web.Components.Pages.Profile;

namespace SplitCcp.Tests.Components.Pages;

/// <summary>The profile page against the real <see cref="ApiTokenService"/> on a SQLite file and the host's fake clock.</summary>
public sealed class ProfilePageTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;
    private TestUser _user = null!;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        _user = await _host.CreateUserAsync(Roles.TenantAdmin);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IdentityActor Self => new(_user.Id, _user.View.Email, null);

    [Fact]
    public async Task Render_TokensByExpiry_WarnsOfThoseLapsingWithin14Days_AndMarksTheExpired()
    {
        await _host.ApiTokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("lapsing", ExpiresInDays: 16));
        await _host.ApiTokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("lasting"));
        await _host.ApiTokens.IssueAsync(Self, _user.Id, new ApiTokenRequest("lapsed", ExpiresInDays: 1));
        _host.Time.Advance(TimeSpan.FromDays(2));
        await using var ctx = CreateContext();

        var cut = Render(ctx);

        cut.WaitForAssertion(() => cut.FindAll("[data-testid=token-expires]").Count.ShouldBe(3));
        Expiry(cut, "lapsing").ShouldBe("2026-03-17 Expires in 14 days");
        Expiry(cut, "lasting").ShouldBe("2026-05-30");
        Expiry(cut, "lapsed").ShouldBe("2026-03-02 Expired");
        Row(cut, "lapsing").QuerySelector("[data-testid=token-expires-soon]").ShouldNotBeNull();
        Row(cut, "lapsed").QuerySelector("[data-testid=token-expired]").ShouldNotBeNull();
    }

    [Fact]
    public async Task Create_LifetimeBeyondTheMaximum_ShowsWhyAtTheField_AndIssuesNothing()
    {
        await using var ctx = CreateContext();
        var cut = Render(ctx);
        cut.Find("input[data-testid=token-days]").GetAttribute("value").ShouldBe("90");

        await cut.Find("[data-testid=token-name]").InputAsync("ci");
        await cut.Find("[data-testid=token-days]").InputAsync("400");
        await cut.Find("[data-testid=create-token]").ClickAsync(new());

        cut.WaitForAssertion(() => FieldText(cut, "token-days")
            .ShouldBe("A token lives at most 365 days here: that is the longest this portal allows (SplitCcp:Security:MaxTokenLifetime)."));
        cut.FindAll("[data-testid=issued-token]").ShouldBeEmpty();
        (await _host.ApiTokens.ListAsync(_user.Id)).ShouldBeEmpty();

        await cut.Find("[data-testid=token-days]").InputAsync("30");
        await cut.Find("[data-testid=create-token]").ClickAsync(new());

        cut.WaitForAssertion(() => cut.Find("[data-testid=issued-token]").TextContent.ShouldContain("It expires on 2026-03-31."));
        (await _host.ApiTokens.ListAsync(_user.Id)).ShouldHaveSingleItem().ExpiresAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime.AddDays(30));
    }

    [Fact]
    public async Task Render_SignInCard_SaysWhetherTwoStepSignInIsOn()
    {
        await using var ctx = CreateContext();
        var off = Render(ctx);
        off.WaitForAssertion(() => off.Find("[data-testid=mfa-state]").TextContent.ShouldBe("off"));
        off.Find("[data-testid=mfa-link]").TextContent.Trim().ShouldBe("Turn on two-step sign-in");

        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await users.SetTwoFactorEnabledAsync((await users.FindByIdAsync(_user.Id))!, true);
        }

        await using var ctx2 = CreateContext();
        var on = Render(ctx2);

        on.WaitForAssertion(() => on.Find("[data-testid=mfa-state]").TextContent.ShouldBe("on"));
        on.Find("[data-testid=mfa-link]").TextContent.Trim().ShouldBe("Two-step sign-in");
    }

    private BunitContext CreateContext() => MudTestContext.Create(ctx =>
    {
        ctx.Services.AddSingleton(_host.ApiTokens);
        ctx.Services.AddSingleton(_host.Users);
        ctx.Services.AddSingleton<TimeProvider>(_host.Time);
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized(_user.View.Email);
        auth.SetRoles(Roles.TenantAdmin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, _user.Id));
    });

    private static IRenderedComponent<ProfilePage> Render(BunitContext ctx)
    {
        ctx.RenderPopoverProvider();
        return ctx.Render<ProfilePage>();
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<ProfilePage> cut, string name) =>
        cut.FindAll("[data-testid=tokens-table] tr").Single(r => r.QuerySelector("td[data-label=Name]")?.TextContent == name);

    private static string Expiry(IRenderedComponent<ProfilePage> cut, string name) =>
        string.Join(' ', Row(cut, name).QuerySelector("[data-testid=token-expires]")!.Children.Select(c => c.TextContent.Trim()));

    private static string FieldText(IRenderedComponent<ProfilePage> cut, string testId)
    {
        var describedBy = cut.Find($"[data-testid={testId}]").GetAttribute("aria-describedby");
        describedBy.ShouldNotBeNullOrEmpty();
        return cut.Find($"[id='{describedBy}']").TextContent.Trim();
    }
}
