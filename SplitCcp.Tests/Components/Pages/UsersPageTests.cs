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
        await using var ctx = MudTestContext.Create(c => c.Services.AddSingleton(_host.Users));

        var cut = ctx.Render<UsersPage>(p => p.AddCascadingValue(Task.FromResult(new AuthenticationState(_operator.Principal))));

        cut.WaitForAssertion(() => cut.FindAll("td[data-label=Role]").Count.ShouldBe(3));
        string RoleOf(TestUser user) => cut.FindAll("tr").Single(r => r.TextContent.Contains(user.View.Email, StringComparison.Ordinal))
            .QuerySelector("td[data-label=Role]")!.TextContent.Trim();
        RoleOf(_operator).ShouldBe("MSP operator");
        RoleOf(admin).ShouldBe("Tenant admin");
        RoleOf(viewer).ShouldBe("Viewer");
    }
}
