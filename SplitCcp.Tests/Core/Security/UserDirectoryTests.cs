using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Security;

public sealed class UserDirectoryTests : IAsyncLifetime
{
    private CoreTestHost _host = null!;

    private UserDirectory Users => _host.Users;

    public async Task InitializeAsync() => _host = await CoreTestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task CreateFirstOperatorAsync_EmptyDatabase_CreatesMspOperator()
    {
        (await Users.AnyUserExistsAsync()).ShouldBeFalse();

        var saved = (await Users.CreateFirstOperatorAsync("admin@example.com", CoreTestHost.Password, Bootstrapper.Actor)).ShouldBeOfType<UserSaveResult.Saved>();

        saved.User.Email.ShouldBe("admin@example.com");
        saved.User.Role.ShouldBe(Roles.MspOperator);
        saved.User.DisplayName.ShouldBe("Administrator");
        saved.User.CreatedAt.ShouldBe(CoreTestHost.StartTime.UtcDateTime);
        (await Users.AnyUserExistsAsync()).ShouldBeTrue();
        var stored = await Users.GetAsync(CoreTestHost.DirectoryOperator, saved.User.Id);
        stored.ShouldNotBeNull();
        stored.Email.ShouldBe("admin@example.com");
        stored.Role.ShouldBe(Roles.MspOperator);
    }

    [Fact]
    public async Task CreateFirstOperatorAsync_UserExists_ReturnsNullAndCreatesNobody()
    {
        await _host.CreateUserAsync(Roles.Viewer);

        (await Users.CreateFirstOperatorAsync("intruder@example.com", CoreTestHost.Password, Bootstrapper.Actor)).ShouldBeNull();

        (await Users.ListAsync(CoreTestHost.DirectoryOperator)).Select(u => u.Email).ShouldNotContain("intruder@example.com");
        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM AspNetUsers")).ShouldBe(1L);
    }

    [Fact]
    public async Task CreateFirstOperatorAsync_WeakPassword_ReturnsPasswordErrorAndCreatesNobody()
    {
        var invalid = (await Users.CreateFirstOperatorAsync("admin@example.com", "short", Bootstrapper.Actor)).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["password"]);
        (await Users.AnyUserExistsAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task CreateAsync_ValidTenantAdmin_StoresRoleAndTenants()
    {
        var op = await _host.CreateOperatorAsync();
        var acme = await _host.CreateTenantAsync(op.Principal, "acme");
        var globex = await _host.CreateTenantAsync(op.Principal, "globex");

        var saved = (await Users.CreateAsync(op.Principal, new UserInput
        {
            Email = "ada@example.com",
            DisplayName = "  Ada  ",
            Password = CoreTestHost.Password,
            Role = Roles.TenantAdmin,
            TenantIds = [acme.Id, globex.Id, acme.Id],
        })).ShouldBeOfType<UserSaveResult.Saved>().User;

        saved.Email.ShouldBe("ada@example.com");
        saved.DisplayName.ShouldBe("Ada");
        saved.Role.ShouldBe(Roles.TenantAdmin);
        saved.TenantIds.Order().ShouldBe(new[] { acme.Id, globex.Id }.Order());
        saved.IsDisabled.ShouldBeFalse();
        saved.IsLockedOut.ShouldBeFalse();
    }

    [Fact]
    public async Task CreateAsync_Stored_PasswordIsHashed()
    {
        var user = await _host.CreateUserAsync(Roles.Viewer);

        var hash = (string?)await _host.QueryScalarAsync("SELECT PasswordHash FROM AspNetUsers WHERE Id = $id", ("$id", user.Id));

        hash.ShouldNotBeNullOrEmpty();
        hash.ShouldNotContain(CoreTestHost.Password);
        _host.DatabaseFilesContain(CoreTestHost.Password).ShouldBeFalse();
        await using var scope = _host.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        (await manager.CheckPasswordAsync((await manager.FindByIdAsync(user.Id))!, CoreTestHost.Password)).ShouldBeTrue();
    }

    [Fact]
    public async Task CreateAsync_Operator_IgnoresTenantIds()
    {
        var op = await _host.CreateOperatorAsync();
        var acme = await _host.CreateTenantAsync(op.Principal, "acme");

        var saved = (await Users.CreateAsync(op.Principal, new UserInput
        {
            Email = "op2@example.com",
            Password = CoreTestHost.Password,
            Role = Roles.MspOperator,
            TenantIds = [acme.Id, Guid.NewGuid()],
        })).ShouldBeOfType<UserSaveResult.Saved>().User;

        saved.TenantIds.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("short")]
    [InlineData("alllowercase-no-digits")]
    [InlineData("ALLUPPERCASE-123")]
    [InlineData("NoDigitsAtAllHere")]
    public async Task CreateAsync_WeakPassword_ReturnsPasswordErrorAndCreatesNobody(string? password)
    {
        var invalid = (await Users.CreateAsync(CoreTestHost.DirectoryOperator, new UserInput
        {
            Email = "weak@example.com",
            Password = password,
            Role = Roles.Viewer,
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["password"]);
        invalid.Errors["password"].ShouldNotBeEmpty();
        (await Users.AnyUserExistsAsync()).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-an-email")]
    [InlineData("Ada <ada@example.com>")]
    [InlineData(" ada@example.com")]
    [InlineData("ada@example.com\n")]
    public async Task CreateAsync_BadEmail_ReturnsEmailError(string? email)
    {
        var invalid = (await Users.CreateAsync(CoreTestHost.DirectoryOperator, new UserInput
        {
            Email = email,
            Password = CoreTestHost.Password,
            Role = Roles.Viewer,
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["email"]);
        invalid.Errors["email"].ShouldBe(["Enter an e-mail address such as name@example.com."]);
    }

    [Fact]
    public async Task CreateAsync_DuplicateEmail_ReturnsEmailError()
    {
        var existing = await _host.CreateUserAsync(Roles.Viewer);

        var invalid = (await Users.CreateAsync(CoreTestHost.DirectoryOperator, new UserInput
        {
            Email = existing.View.Email,
            Password = CoreTestHost.Password,
            Role = Roles.Viewer,
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["email"]);
        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM AspNetUsers")).ShouldBe(1L);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Admin")]
    [InlineData("mspoperator")]
    public async Task CreateAsync_UnknownRole_ReturnsRoleError(string? role)
    {
        var invalid = (await Users.CreateAsync(CoreTestHost.DirectoryOperator, new UserInput
        {
            Email = "x@example.com",
            Password = CoreTestHost.Password,
            Role = role,
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["role"]);
        invalid.Errors["role"].ShouldBe(["Choose one of: MspOperator, TenantAdmin, Viewer."]);
    }

    [Fact]
    public async Task CreateAsync_UnknownTenantId_ReturnsTenantIdsErrorNamingIt()
    {
        var op = await _host.CreateOperatorAsync();
        var acme = await _host.CreateTenantAsync(op.Principal, "acme");
        var unknown = Guid.NewGuid();

        var invalid = (await Users.CreateAsync(op.Principal, new UserInput
        {
            Email = "ada@example.com",
            Password = CoreTestHost.Password,
            Role = Roles.TenantAdmin,
            TenantIds = [acme.Id, unknown],
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["tenantIds"]);
        invalid.Errors["tenantIds"].ShouldBe([$"No tenant has the id {unknown}."]);
        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM AspNetUsers")).ShouldBe(1L);
    }

    [Theory]
    [InlineData("Ada\u202ELovelace")]
    [InlineData("Ada\nLovelace")]
    public async Task CreateAsync_DisplayNameWithHiddenCharacters_ReturnsTheTenantNameRuleAtDisplayName(string displayName)
    {
        var invalid = (await Users.CreateAsync(CoreTestHost.DirectoryOperator, new UserInput
        {
            Email = "x@example.com",
            Password = CoreTestHost.Password,
            Role = Roles.Viewer,
            DisplayName = displayName,
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["displayName"]);
        invalid.Errors["displayName"].ShouldBe([TenantRules.HiddenCharacters(displayName)!]);
    }

    [Fact]
    public async Task CreateAsync_OperatorDemotedSinceSigningIn_IsRefusedThoughTheClaimStillSaysOperator()
    {
        var demoted = await _host.CreateOperatorAsync();
        (await Users.UpdateAsync(CoreTestHost.DirectoryOperator, demoted.View.Id, new UserInput
        {
            Email = demoted.View.Email, Role = Roles.Viewer, TenantIds = [],
        })).ShouldBeOfType<UserSaveResult.Saved>();

        // The principal is the one issued at sign-in: its role claim is still MspOperator.
        demoted.Principal.IsInRole(Roles.MspOperator).ShouldBeTrue();
        await Should.ThrowAsync<UserManagementDeniedException>(() => Users.CreateAsync(demoted.Principal, new UserInput
        {
            Email = "new@example.com", Password = CoreTestHost.Password, Role = Roles.MspOperator,
        }));
        await Should.ThrowAsync<UserManagementDeniedException>(() => Users.ListAsync(demoted.Principal));
        (await Users.ListAsync(CoreTestHost.DirectoryOperator)).Select(u => u.Email).ShouldNotContain("new@example.com");
    }

    [Fact]
    public async Task CreateAsync_DisplayNameTooLong_ReturnsDisplayNameError()
    {
        var invalid = (await Users.CreateAsync(CoreTestHost.DirectoryOperator, new UserInput
        {
            Email = "x@example.com",
            Password = CoreTestHost.Password,
            Role = Roles.Viewer,
            DisplayName = new string('d', 101),
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["displayName"]);
    }

    [Theory]
    [InlineData(Roles.TenantAdmin, false)]
    [InlineData(Roles.Viewer, false)]
    [InlineData(Roles.MspOperator, true)]
    public async Task CreateAsync_CallerNotAWritingOperator_ThrowsUserManagementDenied(string callerRole, bool readOnlyToken)
    {
        var caller = CoreTestHost.PrincipalFor("caller", callerRole, readOnlyToken);
        var input = new UserInput { Email = "x@example.com", Password = CoreTestHost.Password, Role = Roles.MspOperator };

        var thrown = await Should.ThrowAsync<UserManagementDeniedException>(() => Users.CreateAsync(caller, input));

        thrown.Message.ShouldBe("Only an MSP operator can manage users.");
        (await Users.AnyUserExistsAsync()).ShouldBeFalse();
    }

    [Theory]
    [InlineData(Roles.TenantAdmin)]
    [InlineData(Roles.Viewer)]
    public async Task ListAndGetAsync_NonOperator_ThrowsUserManagementDenied(string callerRole)
    {
        var user = await _host.CreateUserAsync(callerRole);

        await Should.ThrowAsync<UserManagementDeniedException>(() => Users.ListAsync(user.Principal));
        await Should.ThrowAsync<UserManagementDeniedException>(() => Users.GetAsync(user.Principal, user.Id));
    }

    [Fact]
    public async Task UpdateAsync_NonOperator_ThrowsAndChangesNothing()
    {
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin);

        await Should.ThrowAsync<UserManagementDeniedException>(() => Users.UpdateAsync(admin.Principal, admin.Id,
            new UserInput { Email = admin.View.Email, Role = Roles.MspOperator }));

        (await Users.GetAsync(CoreTestHost.DirectoryOperator, admin.Id))!.Role.ShouldBe(Roles.TenantAdmin);
    }

    [Fact]
    public async Task ListAsync_ReadOnlyOperatorToken_ListsUsersByEmail()
    {
        var op = await _host.CreateOperatorAsync();
        await _host.CreateUserAsync(Roles.Viewer);
        await _host.CreateUserAsync(Roles.TenantAdmin);

        var users = await Users.ListAsync(op.ReadOnlyPrincipal);

        users.Select(u => u.Email).ShouldBe(["mspoperator1@example.com", "tenantadmin3@example.com", "viewer2@example.com"]);
        users.Select(u => u.Role).ShouldBe([Roles.MspOperator, Roles.TenantAdmin, Roles.Viewer]);
    }

    [Fact]
    public async Task UpdateAsync_DisableYourself_ReturnsIsDisabledErrorAndStaysEnabled()
    {
        var op = await _host.CreateOperatorAsync();

        var invalid = (await Users.UpdateAsync(op.Principal, op.Id, new UserInput
        {
            Email = op.View.Email,
            Role = Roles.MspOperator,
            IsDisabled = true,
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["isDisabled"]);
        invalid.Errors["isDisabled"].ShouldBe(["You cannot disable your own account."]);
        (await Users.GetAsync(op.Principal, op.Id))!.IsDisabled.ShouldBeFalse();
        (await _host.Access.GetScopeAsync(op.Principal)).AllTenants.ShouldBeTrue();
    }

    [Fact]
    public async Task UpdateAsync_DemoteYourself_ReturnsRoleErrorAndStaysOperator()
    {
        var op = await _host.CreateOperatorAsync();

        var invalid = (await Users.UpdateAsync(op.Principal, op.Id, new UserInput
        {
            Email = op.View.Email,
            Role = Roles.Viewer,
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["role"]);
        (await Users.GetAsync(op.Principal, op.Id))!.Role.ShouldBe(Roles.MspOperator);
    }

    [Fact]
    public async Task UpdateAsync_DisableAnotherUser_DisablesAndChangesSecurityStamp()
    {
        var op = await _host.CreateOperatorAsync();
        var viewer = await _host.CreateUserAsync(Roles.Viewer);
        var stampBefore = await _host.QueryScalarAsync("SELECT SecurityStamp FROM AspNetUsers WHERE Id = $id", ("$id", viewer.Id));

        var saved = (await Users.UpdateAsync(op.Principal, viewer.Id, new UserInput
        {
            Email = viewer.View.Email,
            Role = Roles.Viewer,
            IsDisabled = true,
        })).ShouldBeOfType<UserSaveResult.Saved>().User;

        saved.IsDisabled.ShouldBeTrue();
        (await _host.QueryScalarAsync("SELECT SecurityStamp FROM AspNetUsers WHERE Id = $id", ("$id", viewer.Id))).ShouldNotBe(stampBefore);
    }

    [Fact]
    public async Task UpdateAsync_PromoteToOperator_ChangesRoleAndDropsTenantAssignments()
    {
        var op = await _host.CreateOperatorAsync();
        var acme = await _host.CreateTenantAsync(op.Principal, "acme");
        var admin = await _host.CreateUserAsync(Roles.TenantAdmin, acme.Id);

        var saved = (await Users.UpdateAsync(op.Principal, admin.Id, new UserInput
        {
            Email = admin.View.Email,
            DisplayName = "Promoted",
            Role = Roles.MspOperator,
            TenantIds = [acme.Id],
        })).ShouldBeOfType<UserSaveResult.Saved>().User;

        saved.Role.ShouldBe(Roles.MspOperator);
        saved.DisplayName.ShouldBe("Promoted");
        saved.TenantIds.ShouldBeEmpty();
        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM AspNetUserRoles WHERE UserId = $id", ("$id", admin.Id))).ShouldBe(1L);
        (await _host.Access.GetScopeAsync(admin.Principal)).CanManage.ShouldBeTrue();
    }

    [Fact]
    public async Task UpdateAsync_ChangeEmail_UpdatesEmailAndUserName()
    {
        var viewer = await _host.CreateUserAsync(Roles.Viewer);

        var saved = (await Users.UpdateAsync(CoreTestHost.DirectoryOperator, viewer.Id, new UserInput
        {
            Email = "renamed@example.com",
            Role = Roles.Viewer,
        })).ShouldBeOfType<UserSaveResult.Saved>().User;

        saved.Email.ShouldBe("renamed@example.com");
        (await _host.QueryScalarAsync("SELECT NormalizedUserName FROM AspNetUsers WHERE Id = $id", ("$id", viewer.Id)))
            .ShouldBe("RENAMED@EXAMPLE.COM");
    }

    [Fact]
    public async Task UpdateAsync_EmailOfAnotherUser_ReturnsEmailError()
    {
        var first = await _host.CreateUserAsync(Roles.Viewer);
        var second = await _host.CreateUserAsync(Roles.Viewer);

        var invalid = (await Users.UpdateAsync(CoreTestHost.DirectoryOperator, second.Id, new UserInput
        {
            Email = first.View.Email,
            Role = Roles.Viewer,
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["email"]);
        (await Users.GetAsync(CoreTestHost.DirectoryOperator, second.Id))!.Email.ShouldBe(second.View.Email);
    }

    [Fact]
    public async Task UpdateAsync_UnknownUser_ReturnsNotFound() =>
        (await Users.UpdateAsync(CoreTestHost.DirectoryOperator, "no-such-user", new UserInput { Email = "x@example.com", Role = Roles.Viewer }))
            .ShouldBeOfType<UserSaveResult.NotFound>();

    [Fact]
    public async Task UpdateAsync_UnknownTenantId_ReturnsTenantIdsErrorAndKeepsAssignments()
    {
        var op = await _host.CreateOperatorAsync();
        var acme = await _host.CreateTenantAsync(op.Principal, "acme");
        var viewer = await _host.CreateUserAsync(Roles.Viewer, acme.Id);

        var invalid = (await Users.UpdateAsync(op.Principal, viewer.Id, new UserInput
        {
            Email = viewer.View.Email,
            Role = Roles.Viewer,
            TenantIds = [Guid.NewGuid()],
        })).ShouldBeOfType<UserSaveResult.Invalid>();

        invalid.Errors.Keys.ShouldBe(["tenantIds"]);
        (await Users.GetAsync(op.Principal, viewer.Id))!.TenantIds.ShouldBe([acme.Id]);
    }

    [Fact]
    public async Task GetAsync_UnknownId_ReturnsNull() =>
        (await Users.GetAsync(CoreTestHost.DirectoryOperator, "no-such-user")).ShouldBeNull();

    [Fact]
    public async Task UserView_LockedOutUser_ReportsLockoutAgainstTheClock()
    {
        var viewer = await _host.CreateUserAsync(Roles.Viewer);
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = (await manager.FindByIdAsync(viewer.Id))!;
            (await manager.SetLockoutEndDateAsync(user, _host.Time.GetUtcNow().AddMinutes(15))).Succeeded.ShouldBeTrue();
        }

        (await Users.GetAsync(CoreTestHost.DirectoryOperator, viewer.Id))!.IsLockedOut.ShouldBeTrue();
        _host.Time.Advance(TimeSpan.FromMinutes(16));
        (await Users.GetAsync(CoreTestHost.DirectoryOperator, viewer.Id))!.IsLockedOut.ShouldBeFalse();
    }
}
