using Microsoft.Playwright;

namespace SplitCcp.Tests.E2E;

/// <summary>One headless Chromium (the machine's own, no browser download) shared by the browser tests.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    public static string ChromiumPath => Environment.GetEnvironmentVariable("SPLITCCP_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>Where screenshots land: SplitCcp.Tests/TestResults/screenshots unless SPLITCCP_SCREENSHOTS says otherwise.</summary>
    public static string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("SPLITCCP_SCREENSHOTS")
        ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "TestResults", "screenshots"));

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {ChromiumPath}. Install it with 'apt-get install -y chromium' (or set SPLITCCP_CHROMIUM); .ci/run does this on a fresh machine.");
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserTests : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
