using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using SplitCcp.Web.Components.Tenants;

namespace SplitCcp.Tests.Components.Tenants;

public sealed class DeleteTenantDialogTests
{
    private const string TenantName = "Acme Support";

    [Fact]
    public async Task ShowAsync_NothingTyped_ShowsNameAndDisablesDelete()
    {
        await using var ctx = MudTestContext.Create();
        var (provider, _) = await ShowDialogAsync(ctx);

        provider.Find(".mud-dialog-title").TextContent.Trim().ShouldBe($"Delete {TenantName}?");
        provider.Find("[data-testid=delete-confirm-name]").Closest(".mud-input-control")!.TextContent.ShouldContain($"Type {TenantName} to confirm");
        DeleteButton(provider).HasAttribute("disabled").ShouldBeTrue();
    }

    [Theory]
    [InlineData("Acme")]
    [InlineData("acme support")]
    [InlineData("ACME SUPPORT")]
    [InlineData("Acme  Support")]
    [InlineData("Acme Support!")]
    [InlineData("Аcme Support")]
    public async Task ConfirmName_NotTheExactName_KeepsDeleteDisabled(string typed)
    {
        await using var ctx = MudTestContext.Create();
        var (provider, _) = await ShowDialogAsync(ctx);

        await provider.Find("[data-testid=delete-confirm-name]").InputAsync(typed);

        DeleteButton(provider).HasAttribute("disabled").ShouldBeTrue();
    }

    [Theory]
    [InlineData(TenantName)]
    [InlineData("  " + TenantName + " ")]
    public async Task ConfirmName_ExactName_EnablesDeleteAndClickClosesWithOk(string typed)
    {
        await using var ctx = MudTestContext.Create();
        var (provider, dialog) = await ShowDialogAsync(ctx);

        await provider.Find("[data-testid=delete-confirm-name]").InputAsync(typed);
        DeleteButton(provider).HasAttribute("disabled").ShouldBeFalse();
        await DeleteButton(provider).ClickAsync(new());

        var result = await dialog.Result;
        result.ShouldNotBeNull();
        result.Canceled.ShouldBeFalse();
        result.Data.ShouldBe(true);
        provider.FindAll(".mud-dialog").ShouldBeEmpty();
    }

    [Fact]
    public async Task ConfirmName_ExactNameThenEdited_DisablesDeleteAgain()
    {
        await using var ctx = MudTestContext.Create();
        var (provider, _) = await ShowDialogAsync(ctx);
        var input = provider.Find("[data-testid=delete-confirm-name]");

        await input.InputAsync(TenantName);
        DeleteButton(provider).HasAttribute("disabled").ShouldBeFalse();
        await provider.Find("[data-testid=delete-confirm-name]").InputAsync(TenantName[..^1]);

        DeleteButton(provider).HasAttribute("disabled").ShouldBeTrue();
    }

    [Fact]
    public async Task EnterKey_WrongName_DoesNotClose()
    {
        await using var ctx = MudTestContext.Create();
        var (provider, dialog) = await ShowDialogAsync(ctx);

        await provider.Find("[data-testid=delete-confirm-name]").InputAsync("Acme");
        await provider.Find("[data-testid=delete-confirm-name]").KeyDownAsync(new KeyboardEventArgs { Key = "Enter" });

        dialog.Result.IsCompleted.ShouldBeFalse();
        provider.FindAll(".mud-dialog").Count.ShouldBe(1);
    }

    [Fact]
    public async Task EnterKey_ExactName_ClosesWithOk()
    {
        await using var ctx = MudTestContext.Create();
        var (provider, dialog) = await ShowDialogAsync(ctx);

        await provider.Find("[data-testid=delete-confirm-name]").InputAsync(TenantName);
        await provider.Find("[data-testid=delete-confirm-name]").KeyDownAsync(new KeyboardEventArgs { Key = "Enter" });

        var result = await dialog.Result;
        result!.Canceled.ShouldBeFalse();
    }

    [Fact]
    public async Task KeepItButton_Clicked_CancelsTheDialog()
    {
        await using var ctx = MudTestContext.Create();
        var (provider, dialog) = await ShowDialogAsync(ctx);

        await provider.FindAll("button").Single(b => b.TextContent.Trim() == "Keep it").ClickAsync(new());

        (await dialog.Result)!.Canceled.ShouldBeTrue();
    }

    private static IElement DeleteButton(IRenderedComponent<MudDialogProvider> provider) => provider.Find("[data-testid=delete-confirm]");

    private static async Task<(IRenderedComponent<MudDialogProvider> Provider, IDialogReference Dialog)> ShowDialogAsync(BunitContext ctx)
    {
        var provider = ctx.Render<MudDialogProvider>();
        var dialogs = ctx.Services.GetRequiredService<IDialogService>();
        var dialog = await provider.InvokeAsync(() => dialogs.ShowAsync<DeleteTenantDialog>("Delete tenant",
            new DialogParameters<DeleteTenantDialog> { { d => d.TenantName, TenantName } }));
        provider.WaitForElement("[data-testid=delete-confirm]");
        return (provider, dialog);
    }
}
