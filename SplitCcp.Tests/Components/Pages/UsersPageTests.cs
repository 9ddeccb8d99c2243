using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Core;
using SplitCcp.Web.Components.Pages.Users;

namespace SplitCcp.Tests.Components.Pages;

/// <summary>The users page against the real <see cref="UserDirectory"/> on a SQLite file.</summary>
public sealed class UsersPageTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;
    private TestUser _operator = null!;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        _operator = await _host.CreateOperatorAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Render_UsersOfEachRole_NamesTheRolesInWordsNotTheirIdentifiers()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin);
        var viewer = await _host.CreateUserAsync(Roles.Viewer);
        await using var ctx = CreateContext();

        var cut = ctx.Render<UsersPage>(p => p.AddCascadingValue(Task.FromResult(new AuthenticationState(_operator.Principal))));

        cut.WaitForAssertion(() => cut.FindAll("td[data-label=Role]").Count.ShouldBe(3));
        string RoleOf(TestUser user) => cut.FindAll("tr").Single(r => r.TextContent.Contains(user.View.Email, StringComparison.Ordinal))
            .QuerySelector("td[data-label=Role]")!.TextContent.Trim();
        RoleOf(_operator).ShouldBe("MSP operator");
        RoleOf(admin).ShouldBe("Tenant admin");
        RoleOf(viewer).ShouldBe("Viewer");
    }

    [Fact]
    public async Task Render_InvitedUser_ShowsInvitedAndOffersToInviteAgain()
    {
        await _host.Users.CreateAsync(CoreTestHost.DirectoryOperator, new UserInput { Email = "invitee@tenant.example", Role = Roles.Viewer });
        await using var ctx = CreateContext();

        var cut = ctx.Render<UsersPage>(p => p.AddCascadingValue(Task.FromResult(new AuthenticationState(_operator.Principal))));

        cut.WaitForAssertion(() => cut.FindAll("td[data-label=Role]").Count.ShouldBe(2));
        var row = cut.FindAll("tr").Single(r => r.TextContent.Contains("invitee@tenant.example", StringComparison.Ordinal));
        row.QuerySelector("td[data-label=State]")!.TextContent.Trim().ShouldBe("Invited");
        row.QuerySelector("[data-testid=send-password-link]")!.TextContent.Trim().ShouldBe("Invite again");
        var self = cut.FindAll("tr").Single(r => r.TextContent.Contains(_operator.View.Email, StringComparison.Ordinal));
        self.QuerySelector("[data-testid=send-password-link]")!.TextContent.Trim().ShouldBe("Reset password");
        cut.FindAll("[data-testid=password-link]").ShouldBeEmpty("a link is shown only right after it is made");
    }

    private BunitContext CreateContext() => MudTestContext.Create(c =>
    {
        c.Services.AddSingleton(_host.Users);
        c.Services.AddSingleton(_host.Services.GetRequiredService<SplitCcp.Core.Mail.IMailSender>());
    });
}
