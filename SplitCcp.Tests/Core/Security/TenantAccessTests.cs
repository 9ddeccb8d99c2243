using System.Security.Claims;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Security;

public sealed class TenantAccessTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;
    private TestUser _operator = null!;
    private TenantView _acme = null!;
    private TenantView _globex = null!;
    private TenantView _initech = null!;

    private ITenantAccess Access => _host.Access;

    private TenantService Tenants => _host.Tenants;

    public async Task InitializeAsync()
    {
        _host = await CoreTestHost.StartAsync();
        _operator = await _host.CreateOperatorAsync();
        _acme = await _host.CreateTenantAsync(_operator.Principal, "acme", "Acme");
        _globex = await _host.CreateTenantAsync(_operator.Principal, "globex", "Globex");
        _initech = await _host.CreateTenantAsync(_operator.Principal, "initech", "Initech");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task GetScopeAsync_MspOperator_SeesAllTenantsAndMayWriteAndManage()
    {
        var scope = await Access.GetScopeAsync(_operator.Principal);

        scope.UserId.ShouldBe(_operator.Id);
        scope.AllTenants.ShouldBeTrue();
        scope.CanWrite.ShouldBeTrue();
        scope.CanManage.ShouldBeTrue();
        scope.Contains(Guid.NewGuid()).ShouldBeTrue();
    }

    [Fact]
    public async Task GetScopeAsync_TenantAdmin_SeesAssignedTenantsAndMayWriteButNotManage()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id, _globex.Id);

        var scope = await Access.GetScopeAsync(admin.Principal);

        scope.AllTenants.ShouldBeFalse();
        scope.TenantIds.Order().ShouldBe(new[] { _acme.Id, _globex.Id }.Order());
        scope.CanWrite.ShouldBeTrue();
        scope.CanManage.ShouldBeFalse();
    }

    [Fact]
    public async Task GetScopeAsync_Viewer_SeesAssignedTenantsReadOnly()
    {
        var viewer = await _host.CreateUserAsync(Roles.Viewer, _initech.Id);

        var scope = await Access.GetScopeAsync(viewer.Principal);

        scope.TenantIds.ShouldBe([_initech.Id]);
        scope.CanWrite.ShouldBeFalse();
        scope.CanManage.ShouldBeFalse();
    }

    [Theory]
    [InlineData(Roles.MspOperator)]
    [InlineData(Roles.TenantAdmin)]
    [InlineData(Roles.Viewer)]
    public async Task GetScopeAsync_DisabledUser_IsEmpty(string role)
    {
        var user = await _host.CreateUserAsync(role, role == Roles.MspOperator ? [] : [_acme.Id]);
        await _host.DisableAsync(user);

        var scope = await Access.GetScopeAsync(user.Principal);

        scope.ShouldBe(TenantScope.None);
        scope.Contains(_acme.Id).ShouldBeFalse();
        (await Tenants.ListAsync(await _host.ScopeAsync(user.Principal), null, 1, 50)).Items.ShouldBeEmpty();
        (await Access.CheckAsync(user.Principal, _acme.Id, TenantOperation.Read)).Result.ShouldBe(TenantAccessResult.NotFound);
    }

    [Fact]
    public async Task GetScopeAsync_ReadOnlyTokenOfMspOperator_CannotWriteOrManage()
    {
        var scope = await Access.GetScopeAsync(_operator.ReadOnlyPrincipal);

        scope.AllTenants.ShouldBeTrue();
        scope.CanWrite.ShouldBeFalse();
        scope.CanManage.ShouldBeFalse();
    }

    [Fact]
    public async Task GetScopeAsync_ReadOnlyTokenOfTenantAdmin_CannotWrite()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);

        var scope = await Access.GetScopeAsync(admin.ReadOnlyPrincipal);

        scope.TenantIds.ShouldBe([_acme.Id]);
        scope.CanWrite.ShouldBeFalse();
    }

    [Fact]
    public async Task GetScopeAsync_UnauthenticatedIdentityWithOperatorClaims_IsEmpty()
    {
        var claims = new[] { new Claim(ClaimTypes.NameIdentifier, _operator.Id), new Claim(ClaimTypes.Role, Roles.MspOperator) };
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity(claims));

        (await Access.GetScopeAsync(anonymous)).ShouldBe(TenantScope.None);
    }

    [Fact]
    public async Task GetScopeAsync_UnknownUserId_IsEmptyWhateverTheRoleClaim()
    {
        var stranger = CoreTestHost.PrincipalFor("no-such-user", Roles.MspOperator);

        (await Access.GetScopeAsync(stranger)).ShouldBe(TenantScope.None);
    }

    [Fact]
    public async Task GetScopeAsync_ViewerClaimingOperatorRole_GetsTheRoleStoredInTheDatabase()
    {
        var viewer = await _host.CreateUserAsync(Roles.Viewer, _acme.Id);
        var forged = CoreTestHost.PrincipalFor(viewer.Id, Roles.MspOperator);

        var scope = await Access.GetScopeAsync(forged);

        scope.AllTenants.ShouldBeFalse();
        scope.TenantIds.ShouldBe([_acme.Id]);
        scope.CanWrite.ShouldBeFalse();
    }

    [Fact]
    public async Task CheckAsync_TenantOutsideScopeAndMissingTenant_BothReturnNotFound()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);

        (await Access.CheckAsync(admin.Principal, _globex.Id, TenantOperation.Read)).Result.ShouldBe(TenantAccessResult.NotFound);
        (await Access.CheckAsync(admin.Principal, Guid.NewGuid(), TenantOperation.Read)).Result.ShouldBe(TenantAccessResult.NotFound);
        (await Access.CheckAsync(_operator.Principal, Guid.NewGuid(), TenantOperation.Read)).Result.ShouldBe(TenantAccessResult.NotFound);
    }

    [Theory]
    [InlineData(Roles.MspOperator, TenantOperation.Read, TenantAccessResult.Allowed)]
    [InlineData(Roles.MspOperator, TenantOperation.Write, TenantAccessResult.Allowed)]
    [InlineData(Roles.MspOperator, TenantOperation.Manage, TenantAccessResult.Allowed)]
    [InlineData(Roles.TenantAdmin, TenantOperation.Read, TenantAccessResult.Allowed)]
    [InlineData(Roles.TenantAdmin, TenantOperation.Write, TenantAccessResult.Allowed)]
    [InlineData(Roles.TenantAdmin, TenantOperation.Manage, TenantAccessResult.Forbidden)]
    [InlineData(Roles.Viewer, TenantOperation.Read, TenantAccessResult.Allowed)]
    [InlineData(Roles.Viewer, TenantOperation.Write, TenantAccessResult.Forbidden)]
    [InlineData(Roles.Viewer, TenantOperation.Manage, TenantAccessResult.Forbidden)]
    public async Task CheckAsync_AssignedTenant_FollowsTheRole(string role, TenantOperation operation, TenantAccessResult expected)
    {
        var user = await _host.CreateUserAsync(role, role == Roles.MspOperator ? [] : [_acme.Id]);

        (await Access.CheckAsync(user.Principal, _acme.Id, operation)).Result.ShouldBe(expected);
    }

    [Fact]
    public async Task ListAsync_TenantAdmin_ListsOnlyAssignedTenants()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id, _initech.Id);

        var page = await Tenants.ListAsync(await _host.ScopeAsync(admin.Principal), null, 1, 50);

        page.Items.Select(t => t.Slug).ShouldBe(["acme", "initech"]);
        page.Total.ShouldBe(2);
        (await Tenants.ListAsync(await _host.ScopeAsync(admin.Principal), "globex", 1, 50)).Total.ShouldBe(0);
    }

    [Fact]
    public async Task ListAsync_UserWithoutTenants_ListsNothing()
    {
        var viewer = await _host.CreateUserAsync(Roles.Viewer);

        (await Tenants.ListAsync(await _host.ScopeAsync(viewer.Principal), null, 1, 50)).Total.ShouldBe(0);
    }

    [Fact]
    public async Task ListAsync_MspOperator_ListsEveryTenant() =>
        (await Tenants.ListAsync(await _host.ScopeAsync(_operator.Principal), null, 1, 50)).Items.Select(t => t.Slug).ShouldBe(["acme", "globex", "initech"]);

    [Fact]
    public async Task GetAsync_TenantAdmin_ReturnsAssignedTenantAndNoHandleForOthers()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);

        (await Tenants.GetAsync(await _host.TenantAsync(admin.Principal, _acme.Id))).ShouldBe(_acme);
        (await Access.CheckAsync(admin.Principal, _globex.Id, TenantOperation.Read)).ShouldBe(TenantAccessCheck.NotFound);
    }

    [Fact]
    public async Task UpdateAsync_TenantAdminOnAssignedTenant_Saves()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);

        var result = await Tenants.UpdateAsync(await _host.TenantAsync(admin.Principal, _acme.Id), CoreTestHost.SandboxInput("acme", "Acme by admin") with { Version = 1 });

        result.ShouldBeOfType<TenantSaveResult.Saved>().Tenant.DisplayName.ShouldBe("Acme by admin");
    }

    [Fact]
    public async Task UpdateAsync_TenantAdminOnUnassignedTenant_GetsNoHandle()
    {
        // Without a handle no service can be asked to change the tenant; the HTTP side is TenantIsolationTests'.
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);

        (await Access.CheckAsync(admin.Principal, _globex.Id, TenantOperation.Write)).ShouldBe(TenantAccessCheck.NotFound);
    }

    [Fact]
    public async Task UpdateAsync_Viewer_ThrowsTenantAccessDeniedAndChangesNothing()
    {
        var viewer = await _host.CreateUserAsync(Roles.Viewer, _acme.Id);

        var thrown = await Should.ThrowAsync<TenantAccessDeniedException>(async () =>
            await Tenants.UpdateAsync(await _host.TenantAsync(viewer.Principal, _acme.Id), CoreTestHost.SandboxInput("acme", "Changed by viewer") with { Version = 1 }));

        thrown.Message.ShouldBe("You can view this tenant but not change it.");
        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, _acme.Id))).ShouldBe(_acme);
    }

    [Fact]
    public async Task UpdateAsync_ReadOnlyTokenOfMspOperator_Throws()
    {
        await Should.ThrowAsync<TenantAccessDeniedException>(async () =>
            await Tenants.UpdateAsync(await _host.TenantAsync(_operator.ReadOnlyPrincipal, _acme.Id), CoreTestHost.SandboxInput("acme", "Changed") with { Version = 1 }));

        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, _acme.Id))).ShouldBe(_acme);
    }

    [Fact]
    public async Task DeleteAsync_TenantAdmin_ThrowsAndKeepsTenant()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);

        var thrown = await Should.ThrowAsync<TenantAccessDeniedException>(async () => await Tenants.DeleteAsync(await _host.TenantAsync(admin.Principal, _acme.Id)));

        thrown.Message.ShouldBe("Only an MSP operator can delete tenants.");
        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, _acme.Id))).ShouldNotBeNull();
    }

    [Fact]
    public async Task DeleteAsync_TenantAdminOnUnassignedTenant_GetsNoHandle()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);

        (await Access.CheckAsync(admin.Principal, _globex.Id, TenantOperation.Manage)).ShouldBe(TenantAccessCheck.NotFound);
    }

    [Fact]
    public async Task DeleteAsync_ReadOnlyTokenOfMspOperator_Throws()
    {
        await Should.ThrowAsync<TenantAccessDeniedException>(async () => await Tenants.DeleteAsync(await _host.TenantAsync(_operator.ReadOnlyPrincipal, _acme.Id)));

        (await Tenants.GetAsync(await _host.TenantAsync(_operator.Principal, _acme.Id))).ShouldNotBeNull();
    }

    [Theory]
    [InlineData(Roles.TenantAdmin, false)]
    [InlineData(Roles.Viewer, false)]
    [InlineData(Roles.MspOperator, true)]
    public async Task CreateAsync_CallerWhoCannotManage_ThrowsAndStoresNothing(string role, bool readOnlyToken)
    {
        var user = await _host.CreateUserAsync(role, role == Roles.MspOperator ? [] : [_acme.Id]);
        var caller = readOnlyToken ? user.ReadOnlyPrincipal : user.Principal;

        await Should.ThrowAsync<TenantAccessDeniedException>(async () => await Tenants.CreateAsync(caller, CoreTestHost.SandboxInput("newco")));

        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM Tenants")).ShouldBe(3L);
    }

    [Fact]
    public async Task GetScopeAsync_AfterTenantsReassigned_ReflectsTheChangeAtOnce()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, _acme.Id);
        (await Tenants.GetAsync(await _host.TenantAsync(admin.Principal, _acme.Id))).ShouldNotBeNull();

        var result = await _host.Users.UpdateAsync(CoreTestHost.DirectoryOperator, admin.Id,
            new UserInput { Email = admin.View.Email, Role = Roles.TenantAdmin, TenantIds = [_globex.Id] });
        result.ShouldBeOfType<UserSaveResult.Saved>();

        (await Access.CheckAsync(admin.Principal, _acme.Id, TenantOperation.Read)).Result.ShouldBe(TenantAccessResult.NotFound);
        (await Tenants.GetAsync(await _host.TenantAsync(admin.Principal, _globex.Id))).ShouldNotBeNull();
    }
}
