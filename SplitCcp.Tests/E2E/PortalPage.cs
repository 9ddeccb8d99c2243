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

    /// <summary>
    /// Clicks <paramref name="button"/> and waits for the page it leads to. A save does its work on the server before it
    /// navigates, which on a loaded machine takes longer than a click; when no navigation comes, the failure says what the
    /// page shows instead (a validation message, an error), so the cause is in the test's output. The address is polled
    /// rather than waited for with WaitForURLAsync: a Blazor navigation is a pushState that may land before the wait
    /// begins, and WaitForURLAsync then waits for a load state that Commit was meant to skip (playwright-dotnet #3365).
    /// </summary>
    public async Task ClickAndWaitForUrlAsync(ILocator button, System.Text.RegularExpressions.Regex url)
    {
        await button.ClickAsync();
        try
        {
            await Assertions.Expect(Page).ToHaveURLAsync(url, new() { Timeout = 60_000 });
        }
        catch (PlaywrightException ex)
        {
            var shown = await Page.Locator("body").InnerTextAsync(new() { Timeout = 5_000 });
            throw new TimeoutException($"No navigation to {url} within 60 s of the click; the page at {Page.Url} shows:\n{shown}", ex);
        }
    }

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
        await WaitForPathAsync("/account/login");
    }

    /// <summary>
    /// Waits up to 60 s for the address's path to be <paramref name="path"/> (a query may follow). Polled, as in
    /// <see cref="ClickAndWaitForUrlAsync"/>: a navigation that lands before the wait begins makes WaitForURLAsync wait for a
    /// load state that may never come again (playwright-dotnet #3365).
    /// </summary>
    public Task WaitForPathAsync(string path) =>
        Assertions.Expect(Page).ToHaveURLAsync(
            new System.Text.RegularExpressions.Regex($"^[^?#]*{System.Text.RegularExpressions.Regex.Escape(path)}([?#].*)?$"), new() { Timeout = 60_000 });

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

    /// <summary>
    /// What the page cuts off: each visible element that reaches past the viewport's sides, or whose content is wider than
    /// its box, hidden or behind a sideways scroll (a table a phone shows half of). A code block may scroll; what sits wholly
    /// off screen (a closed drawer) or is visually hidden (1 px, for screen readers) is not seen, so not cut off; nor is a
    /// progress bar's fill, slid out of its track by design.
    /// </summary>
    public async Task<IReadOnlyList<string>> ClippedAsync() => await Page.EvaluateAsync<string[]>("""
        () => {
            const width = document.documentElement.clientWidth;
            const name = el => el.tagName.toLowerCase() + (el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : '')
                + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.') : '')
                + ` "${(el.innerText || '').trim().slice(0, 40)}"`;
            // A progress bar draws its fill by sliding a full-width bar out of its track: nothing there is content.
            const inCode = el => el.closest('pre, .mud-progress-linear') !== null;
            const found = [];
            for (const el of document.querySelectorAll('body *')) {
                const style = getComputedStyle(el);
                if (style.visibility === 'hidden' || el.closest('[hidden], .mud-popover:not(.mud-popover-open), #blazor-error-ui, #components-reconnect-modal')) continue;
                const box = el.getBoundingClientRect();
                if (box.width <= 1 || box.height <= 1 || box.right <= 0 || box.left >= width || inCode(el)) continue;
                if (box.right > width + 1 || box.left < -1) found.push(`${name(el)} reaches past the viewport (${Math.round(box.left)}..${Math.round(box.right)} of ${width})`);
                else if (style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
                    found.push(`${name(el)} hides ${el.scrollWidth - el.clientWidth}px of its content`);
            }
            return found;
        }
        """);

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
