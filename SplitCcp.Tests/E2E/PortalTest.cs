using Microsoft.Playwright;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.E2E;

/// <summary>A browser test against its own installation of the portal, served on a loopback port.</summary>
[Collection(BrowserTests.Name)]
public abstract class PortalTest(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private IBrowserContext _context = default!;

    protected SplitCcpWebFactory App { get; } = new();

    protected PortalPage Portal { get; private set; } = default!;

    /// <summary>Set by any alert, confirm or prompt the page opens: a value typed into a field must never run as script.</summary>
    protected bool DialogSeen { get; private set; }

    protected virtual BrowserNewContextOptions ContextOptions => new() { ViewportSize = new() { Width = 1280, Height = 860 } };

    /// <summary>Adjusts the installation's configuration before it starts.</summary>
    protected virtual void Configure(SplitCcpWebFactory app)
    {
    }

    public async Task InitializeAsync()
    {
        Configure(App);
        App.StartKestrel();
        _context = await browser.Browser.NewContextAsync(ContextOptions);
        var page = await _context.NewPageAsync();
        page.Dialog += (_, dialog) =>
        {
            DialogSeen = true;
            _ = dialog.DismissAsync();
        };
        Portal = new PortalPage(page, App.ServerAddress, GetType().Name);
    }

    /// <summary>Another tab of the same browser session, such as a dashboard left open while the test works elsewhere.</summary>
    protected async Task<PortalPage> OpenTabAsync(string name)
    {
        var page = await _context.NewPageAsync();
        page.Dialog += (_, dialog) =>
        {
            DialogSeen = true;
            _ = dialog.DismissAsync();
        };
        return new PortalPage(page, App.ServerAddress, $"{GetType().Name}-{name}");
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public void Dispose()
    {
        App.Dispose();
        GC.SuppressFinalize(this);
    }
}
