using MudBlazor;

namespace SplitCcp.Web.Components.Layout;

internal static class SplitCcpTheme
{
    // System fonts only: the portal must render the same with no internet access.
    private static readonly string[] s_fonts = ["Inter", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fa8",
            Secondary = "#5b6b7f",
            AppbarBackground = "#15324f",
            Background = "#f5f7fa",
            DrawerBackground = "#ffffff",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7fb2ff",
            Secondary = "#9aa9bb",
            AppbarBackground = "#101a26",
            Background = "#0f141a",
            Surface = "#18202a",
            DrawerBackground = "#141b23",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = s_fonts },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "6px" },
    };
}
