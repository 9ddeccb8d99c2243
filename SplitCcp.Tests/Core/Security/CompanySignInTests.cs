using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Security;

public sealed class CompanySignInTests : IAsyncLifetime
{
    private const string Address = "203.0.113.9";
    private readonly StorageFaults _faults = new();
    private CoreTestHost _host = null!;

    private CompanySignIn SignIn => _host.Services.GetRequiredService<CompanySignIn>();

    public async Task InitializeAsync() => _host = await CoreTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["SplitCcp:Oidc:Authority"] = "https://login.contoso.example",
        ["SplitCcp:Oidc:ClientId"] = "splitccp",
        ["SplitCcp:Oidc:ClientSecret"] = "secret",
        ["SplitCcp:Oidc:DisplayName"] = "Contoso",
        ["SplitCcp:Oidc:OperatorValues:0"] = "splitccp-operators",
        ["SplitCcp:Oidc:TenantAdminPattern"] = "splitccp-admin-{tenant}",
    }, configureServices: _faults.AddTo);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SignInAsync_NewPerson_CreatesTheUserWithTheLoginRoleAndTenants()
    {
        var acme = await _host.CreateTenantAsync(CoreTestHost.DirectoryOperator, CoreTestHost.SandboxInput("acme"));
        await _host.CreateTenantAsync(CoreTestHost.DirectoryOperator, CoreTestHost.SandboxInput("globex"));

        var userId = (await SignIn.SignInAsync(Login("bob-sub", "bob@contoso.test", ["splitccp-admin-acme", "splitccp-admin-unknown"])))
            .ShouldBeOfType<CompanySignInResult.Succeeded>().UserId;

        var bob = (await _host.Users.GetAsync(CoreTestHost.DirectoryOperator, userId)).ShouldNotBeNull();
        bob.Email.ShouldBe("bob@contoso.test");
        bob.Role.ShouldBe(Roles.TenantAdmin);
        bob.TenantIds.ShouldBe([acme.Id]);
        bob.IsInvited.ShouldBeTrue("a company account has no password here");
        (await FindByLoginAsync("bob-sub")).ShouldBe(userId);
        var events = await EventsAsync();
        events.Select(e => e.Kind).ShouldBe([IdentityEventKind.SignInSucceeded, IdentityEventKind.UserCreated]);
        events.ShouldAllBe(e => e.RemoteAddress == Address && e.SubjectId == userId);
        events[0].Summary.ShouldBe("Signed in with Contoso.");
        events[1].Summary.ShouldBe("Created at the first sign-in with Contoso as Tenant admin of Tenant acme.", "named as the Users page's creations name their tenants");
    }

    [Fact]
    public async Task SignInAsync_LocalAccountOfAVerifiedAddress_JoinsItAndSetsTheRoleFromTheClaims()
    {
        var local = await _host.CreateUserAsync(Roles.Viewer);

        var userId = (await SignIn.SignInAsync(Login("sub-1", local.View.Email, ["splitccp-operators"])))
            .ShouldBeOfType<CompanySignInResult.Succeeded>().UserId;

        userId.ShouldBe(local.Id);
        (await FindByLoginAsync("sub-1")).ShouldBe(local.Id);
        (await _host.Users.GetAsync(CoreTestHost.DirectoryOperator, local.Id))!.Role.ShouldBe(Roles.MspOperator);
        (await EventsAsync()).ShouldContain(e => e.Kind == IdentityEventKind.RoleChanged && e.Summary == "Role changed from Viewer to MSP operator by Contoso's groups.");
    }

    [Fact]
    public async Task SignInAsync_LocalAccountOfAnUnverifiedAddress_IsRefusedAndNotJoined()
    {
        var local = await _host.CreateUserAsync(Roles.Viewer);

        var refused = (await SignIn.SignInAsync(Login("sub-1", local.View.Email, ["splitccp-operators"], emailVerified: false)))
            .ShouldBeOfType<CompanySignInResult.Refused>();

        refused.Reason.ShouldContain("Contoso has not verified that this address is yours");
        (await FindByLoginAsync("sub-1")).ShouldBeNull();
        (await _host.Users.GetAsync(CoreTestHost.DirectoryOperator, local.Id))!.Role.ShouldBe(Roles.Viewer);
        var failed = (await EventsAsync()).ShouldHaveSingleItem();
        failed.Kind.ShouldBe(IdentityEventKind.SignInFailed);
        failed.SubjectId.ShouldBe(local.Id);
        failed.RemoteAddress.ShouldBe(Address);
    }

    [Fact]
    public async Task SignInAsync_GroupRemovedAtTheProvider_RemovesTheRoleAndEndsOtherSessions()
    {
        var userId = (await SignIn.SignInAsync(Login("sub-1", "alice@contoso.test", ["splitccp-operators"]))).ShouldBeOfType<CompanySignInResult.Succeeded>().UserId;
        var stamp = await StampAsync(userId);

        var refused = (await SignIn.SignInAsync(Login("sub-1", "alice@contoso.test", ["staff"]))).ShouldBeOfType<CompanySignInResult.Refused>();

        refused.Reason.ShouldBe("Your Contoso account has no access to SplitCcp: none of its groups gives a role here. Ask your administrator for access.");
        (await _host.Users.GetAsync(CoreTestHost.DirectoryOperator, userId))!.Role.ShouldBe("");
        (await _host.ScopeAsync(CoreTestHost.PrincipalFor(userId, Roles.MspOperator))).AllTenants.ShouldBeFalse();
        (await StampAsync(userId)).ShouldNotBe(stamp);
        var events = await EventsAsync();
        events[0].Kind.ShouldBe(IdentityEventKind.SignInFailed);
        events[1].Summary.ShouldBe("Role changed from MSP operator to no role by Contoso's groups.");
    }

    [Fact]
    public async Task SignInAsync_SameGroupsAgain_ChangesNothingAndKeepsOtherSessions()
    {
        var userId = (await SignIn.SignInAsync(Login("sub-1", "alice@contoso.test", ["splitccp-operators"]))).ShouldBeOfType<CompanySignInResult.Succeeded>().UserId;
        var stamp = await StampAsync(userId);

        (await SignIn.SignInAsync(Login("sub-1", "alice@contoso.test", ["splitccp-operators"]))).ShouldBeOfType<CompanySignInResult.Succeeded>();

        (await StampAsync(userId)).ShouldBe(stamp);
        (await EventsAsync()).ShouldNotContain(e => e.Kind == IdentityEventKind.RoleChanged);
    }

    [Fact]
    public async Task SignInAsync_SameGroupsWhileTheDatabaseIsReadOnly_SignsInAsAPasswordSignInDoes()
    {
        var userId = (await SignIn.SignInAsync(Login("sub-1", "alice@contoso.test", ["splitccp-operators"]))).ShouldBeOfType<CompanySignInResult.Succeeded>().UserId;
        _faults.ReadOnly();

        (await SignIn.SignInAsync(Login("sub-1", "alice@contoso.test", ["splitccp-operators"]))).ShouldBeOfType<CompanySignInResult.Succeeded>().UserId.ShouldBe(userId);
    }

    [Fact]
    public async Task SignInAsync_GroupRemovedWhileTheDatabaseIsReadOnly_FailsWithTheStorageFaultAndKeepsNoStaleAccess()
    {
        await SignIn.SignInAsync(Login("sub-1", "alice@contoso.test", ["splitccp-operators"]));
        _faults.ReadOnly();

        var failure = await Should.ThrowAsync<Exception>(() => SignIn.SignInAsync(Login("sub-1", "alice@contoso.test", ["staff"])));

        StorageFault.From(failure).ShouldNotBeNull(failure.ToString());
    }

    [Fact]
    public async Task SignInAsync_NewPersonWithNoMappedGroup_IsRefusedAndNoAccountIsMade()
    {
        (await SignIn.SignInAsync(Login("sub-9", "carol@contoso.test", ["staff"]))).ShouldBeOfType<CompanySignInResult.Refused>();

        (await _host.Users.AnyUserExistsAsync()).ShouldBeFalse();
        var failed = (await EventsAsync()).ShouldHaveSingleItem();
        failed.Kind.ShouldBe(IdentityEventKind.SignInFailed);
        failed.Actor.ShouldBe("carol@contoso.test");
    }

    [Fact]
    public async Task SignInAsync_DisabledAccount_IsRefusedAndKeepsItsRole()
    {
        var local = await _host.CreateUserAsync(Roles.Viewer);
        await _host.DisableAsync(local);

        (await SignIn.SignInAsync(Login("sub-1", local.View.Email, ["splitccp-operators"])))
            .ShouldBeOfType<CompanySignInResult.Refused>().Reason.ShouldContain("disabled");

        (await _host.Users.GetAsync(CoreTestHost.DirectoryOperator, local.Id))!.Role.ShouldBe(Roles.Viewer);
    }

    private static CompanyLogin Login(string subject, string email, string[] groups, bool emailVerified = true) =>
        new("OpenIdConnect", subject, email, emailVerified, groups, Address);

    private async Task<string?> FindByLoginAsync(string subject)
    {
        using var scope = _host.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByLoginAsync("OpenIdConnect", subject))?.Id;
    }

    private async Task<string?> StampAsync(string userId)
    {
        using var scope = _host.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return await users.GetSecurityStampAsync((await users.FindByIdAsync(userId))!);
    }

    /// <summary>The events since the users the test made itself, newest first.</summary>
    private async Task<IReadOnlyList<IdentityEventRecord>> EventsAsync() =>
        (await _host.Services.GetRequiredService<IdentityAudit>().ListAsync(await _host.ScopeAsync(CoreTestHost.DirectoryOperator), new IdentityEventQuery()))
            .Items.Where(e => e.Actor != "directory-operator").ToList();
}
