using Microsoft.Playwright;

namespace SplitCcp.Tests.E2E;

/// <summary>What a person does in the portal, in the portal's words, so the tests read as the journey they check.</summary>
public sealed class PortalPage(IPage page, Uri baseAddress, string testName)
{
    private int _shot;

    public IPage Page { get; } = page;

    public Uri BaseAddress { get; } = baseAddress;

    public async Task<IResponse?> GotoAsync(string path) =>
        await Page.GotoAsync(new Uri(BaseAddress, path).ToString(), new() { WaitUntil = WaitUntilState.NetworkIdle });

    /// <summary>Clicks do nothing until the Blazor circuit is connected; the layout renders this marker only then.</summary>
    public Task WaitForInteractiveAsync() =>
        Page.Locator("#app-interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });

    public async Task SignInAsync(string email, string password)
    {
        await GotoAsync("/account/login");
        await Page.FillAsync("#email", email);
        await Page.FillAsync("#password", password);
        await Page.ClickAsync("[data-testid=sign-in]");
        await WaitForInteractiveAsync();
    }

    public async Task SignOutAsync()
    {
        await Page.ClickAsync("[data-testid=sign-out]");
        await Page.WaitForURLAsync("**/account/login**");
    }

    public ILocator ByTestId(string id) => Page.Locator($"[data-testid=\"{id}\"]");

    /// <summary>The input inside a Mud field marked with data-testid (Mud puts the attribute on the input itself or its wrapper).</summary>
    public ILocator Input(string testId) => Page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    /// <summary>One element, such as a card, cut from a full-page shot (an element shot scrolls, and draws the fixed app bar over it).</summary>
    public async Task<string> ScreenshotAsync(string name, ILocator element)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"{testName}-{++_shot:00}-{name}.png");
        await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        var box = await element.BoundingBoxAsync() ?? throw new InvalidOperationException($"{name}: the element is not on the page.");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true, Clip = new() { X = box.X, Y = box.Y, Width = box.Width, Height = box.Height } });
        await Page.WaitForTimeoutAsync(400);
        return path;
    }

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"{testName}-{++_shot:00}-{name}.png");

        // A full-page shot of a scrolled page draws the fixed app bar mid-page.
        await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });

        // A full-page shot resizes the viewport for a moment; MudBlazor's resize listeners then re-render over the
        // circuit, and a click landing mid-render is lost. Let that round trip settle before the test acts again.
        await Page.WaitForTimeoutAsync(400);
        return path;
    }
}
