using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Services;

namespace SplitCcp.Tests.Components;

/// <summary>
/// The one place component tests get MudBlazor from: services with transitions off, loose JS interop, an interactive
/// server renderer. Tests own the context with <c>await using</c>, because MudBlazor's providers dispose asynchronously.
/// </summary>
internal static class MudTestContext
{
    /// <param name="configure">Registers further services; runs before the renderer is created, after which bUnit refuses new ones.</param>
    public static BunitContext Create(Action<BunitContext>? configure = null)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(options =>
        {
            options.PopoverOptions.CheckForPopoverProvider = false;
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
        });
        configure?.Invoke(ctx);
        ctx.SetRendererInfo(new RendererInfo("Server", true));
        return ctx;
    }

    /// <summary>Renders the provider that MudSelect lists and other popovers appear in.</summary>
    public static IRenderedComponent<MudPopoverProvider> RenderPopoverProvider(this BunitContext ctx) => ctx.Render<MudPopoverProvider>();
}
