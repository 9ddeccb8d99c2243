using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Core;
using SplitCcp.Web.Components.Users;

namespace SplitCcp.Tests.Components.Users;

/// <summary>The dialog against the real <see cref="UserDirectory"/> on a SQLite file: what the server refuses shows at its field.</summary>
public sealed class UserDialogTests : IAsyncLifetime
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
    public async Task Save_NewTenantAdmin_CreatesUserAndClosesWithIt()
    {
        await using var ctx = CreateContext();
        var (provider, dialog) = await ShowDialogAsync(ctx);

        await provider.Find("[data-testid=user-email]").InputAsync("new.admin@example.com");
        await provider.Find("[data-testid=save-user]").ClickAsync(new());

        var result = await dialog.Result;
        var saved = result!.Data.ShouldBeOfType<UserSaveResult.Saved>();
        var created = saved.User;
        created.Email.ShouldBe("new.admin@example.com");
        created.IsInvited.ShouldBeTrue();
        saved.Invitation.ShouldNotBeNull().Link.ShouldNotBeNull("no mail is configured: the link is the operator's to hand over");
        created.Role.ShouldBe(Roles.TenantAdmin);
        created.TenantIds.ShouldBeEmpty();
        (await _host.Users.ListAsync(_operator.Principal)).Select(u => u.Email).ShouldContain("new.admin@example.com");
    }

    [Fact]
    public async Task Save_EmailAlreadyUsed_ShowsServerErrorAtEmailAndStaysOpen()
    {
        await using var ctx = CreateContext();
        var (provider, dialog) = await ShowDialogAsync(ctx);

        await provider.Find("[data-testid=user-email]").InputAsync(_operator.View.Email);
        await provider.Find("[data-testid=save-user]").ClickAsync(new());

        provider.WaitForAssertion(() => FieldText(provider, "user-email").ShouldContain("is already taken"));
        dialog.Result.IsCompleted.ShouldBeFalse();
        (await _host.QueryScalarAsync("SELECT COUNT(*) FROM AspNetUsers")).ShouldBe(1L);
    }

    [Fact]
    public async Task Render_NewUser_AsksForNoPasswordAndSaysHowTheUserGetsOne()
    {
        await using var ctx = CreateContext();
        var (provider, _) = await ShowDialogAsync(ctx);

        provider.FindAll("input[type=password]").ShouldBeEmpty();
        provider.Find("[data-testid=invitation-note]").TextContent.ShouldContain("This portal sends no mail: you get a link to give the user, shown once.");
    }

    [Fact]
    public async Task Save_DisableYourself_ShowsServerErrorAndKeepsAccountEnabled()
    {
        await using var ctx = CreateContext();
        var (provider, dialog) = await ShowDialogAsync(ctx, existing: _operator.View);

        await provider.Find("input[data-testid=user-disabled]").ChangeAsync(true);
        await provider.Find("[data-testid=save-user]").ClickAsync(new());

        provider.WaitForAssertion(() => provider.Markup.ShouldContain("You cannot disable your own account."));
        dialog.Result.IsCompleted.ShouldBeFalse();
        (await _host.Users.GetAsync(_operator.Principal, _operator.Id))!.IsDisabled.ShouldBeFalse();
    }

    [Theory]
    [InlineData(Roles.TenantAdmin, "Tenant admin")]
    [InlineData(Roles.MspOperator, "MSP operator")]
    public async Task Render_ExistingUser_ShowsTheRoleInWords(string role, string shown)
    {
        var user = await _host.CreateUserAsync(role);
        await using var ctx = CreateContext();
        var (provider, _) = await ShowDialogAsync(ctx, existing: user.View);

        provider.Find("input[data-testid=user-role], [data-testid=user-role] input").GetAttribute("value").ShouldBe(shown);
    }

    private BunitContext CreateContext() => MudTestContext.Create(ctx =>
    {
        ctx.Services.AddSingleton(_host.Users);
        ctx.Services.AddSingleton(_host.Tenants);
        ctx.Services.AddSingleton(_host.Access);
        ctx.Services.AddSingleton(_host.Services.GetRequiredService<SplitCcp.Core.Mail.IMailSender>());
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized(_operator.View.Email);
        auth.SetRoles(Roles.MspOperator);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, _operator.Id));
    });

    private static async Task<(IRenderedComponent<MudDialogProvider> Provider, IDialogReference Dialog)> ShowDialogAsync(
        BunitContext ctx, UserView? existing = null)
    {
        var provider = ctx.Render<MudDialogProvider>();
        var dialogs = ctx.Services.GetRequiredService<IDialogService>();
        var dialog = await provider.InvokeAsync(() => dialogs.ShowAsync<UserDialog>("User",
            new DialogParameters<UserDialog> { { d => d.Existing, existing } }));
        provider.WaitForElement("[data-testid=save-user]");
        return (provider, dialog);
    }

    private static string FieldText(IRenderedComponent<MudDialogProvider> provider, string testId)
    {
        var describedBy = provider.Find($"[data-testid={testId}]").GetAttribute("aria-describedby");
        describedBy.ShouldNotBeNullOrEmpty();
        return provider.Find($"[id='{describedBy}']").TextContent.Trim();
    }
}
