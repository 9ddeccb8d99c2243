using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Core.Ccp;

namespace SplitCcp.Tests.E2E;

/// <summary>
/// The generated CCP pages in headless Chromium, served from a routed HTTPS origin with their real CSP. A recording stub
/// stands in for connect-streams.js, so the tests see exactly what each page asks the library to do.
/// </summary>
[Collection(BrowserTests.Name)]
public sealed class CcpPagesBrowserTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string PagesOrigin = "https://ccp.example.test";
    private const string InstanceOrigin = "https://northwind.my.connect.aws";

    /// <summary>Records what the page asks of connect-streams and lets the test play the CCP's part.</summary>
    private const string RecordingStub = """
        (() => {
          const recorded = window.__ccp = { initCcpCalls: [], softphoneManagerCalls: 0, agentCallbacks: [], contactCallbacks: [], contacts: {} };
          window.connect = {
            ContactType: { VOICE: 'voice', CHAT: 'chat' },
            core: {
              initCCP(container, options) {
                recorded.initCcpCalls.push({ containerId: container.id, options: JSON.parse(JSON.stringify(options)) });
                const frame = document.createElement('iframe');
                frame.title = 'stub CCP';
                frame.style.cssText = 'width: 100%; height: 100%; border: 0';
                container.appendChild(frame);
              },
              initSoftphoneManager() { recorded.softphoneManagerCalls++; },
              onAuthFail(f) { recorded.authFail = f; },
              onInitialized(f) { recorded.initialized = f; },
              onIframeRetriesExhausted(f) { recorded.iframeFailed = f; },
            },
            agent(f) { recorded.agentCallbacks.push(f); },
            contact(f) { recorded.contactCallbacks.push(f); },
          };
          recorded.signIn = (name) => recorded.agentCallbacks.forEach((f) => f({ getName: () => name }));
          recorded.startCall = (id, type) => {
            const handlers = { connected: [], ended: [], destroy: [] };
            const contact = {
              getContactId: () => id, getType: () => type, getStatus: () => ({ type: 'connecting' }),
              onConnected: (f) => handlers.connected.push(f), onEnded: (f) => handlers.ended.push(f), onDestroy: (f) => handlers.destroy.push(f),
            };
            recorded.contacts[id] = handlers;
            recorded.contactCallbacks.forEach((f) => f(contact));
            handlers.connected.forEach((f) => f(contact));
          };
          recorded.endCall = (id) => recorded.contacts[id].ended.forEach((f) => f());
        })();
        """;

    // Installed before any page script: every CSP violation, whatever its source, lands here.
    private const string ViolationRecorder = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
        """;

    private readonly CcpPageGenerator _generator = new();
    private readonly List<string> _consoleProblems = [];
    private readonly List<string> _pageErrors = [];
    private readonly List<string> _dialogs = [];
    private readonly TaskCompletionSource<string> _firstDialog = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IBrowserContext _context = default!;

    public async Task InitializeAsync() =>
        _context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task AudioOnlyPage_InChromium_PassesTheExactOptionsAndKeepsTheHiddenFrameRendered()
    {
        var page = await OpenAsync(SetupValues.AudioOnlyPageName, _generator.AudioOnlyPage(CcpPageParts.Values(), new CcpPagesSpec()));

        var call = await InitCcpCallAsync(page);
        call["containerId"]!.GetValue<string>().ShouldBe("ccp");
        ShouldBeJson(call["options"]!, """
            {
              "ccpUrl": "https://northwind.my.connect.aws/ccp-v2/",
              "loginPopup": true,
              "loginPopupAutoClose": true,
              "loginUrl": "https://d-9067a1b2c3.awsapps.com/start/#/saml/custom/Northwind%20CCP/MTIzNDU2Nzg5MDEy",
              "region": "eu-west-2",
              "softphone": { "allowFramedSoftphone": true, "disableRingtone": false, "disableEchoCancellation": false },
              "pageOptions": { "enableAudioDeviceSettings": true, "enablePhoneTypeSettings": false },
              "ccpAckTimeout": 3000,
              "ccpSynTimeout": 1000,
              "ccpLoadTimeout": 5000
            }
            """);
        (await page.EvaluateAsync<int>("() => window.__ccp.softphoneManagerCalls")).ShouldBe(0);

        // Hidden from sight and from the keyboard, yet laid out at full size so the framed softphone keeps working.
        var frame = await FrameLayoutAsync(page);
        frame.Display.ShouldNotBe("none");
        frame.Hidden.ShouldBeTrue();
        frame.Inert.ShouldBeTrue();
        frame.Width.ShouldBeGreaterThanOrEqualTo(320);
        frame.Height.ShouldBeGreaterThanOrEqualTo(465);
        frame.Right.ShouldBeLessThanOrEqualTo(0);
        (await page.Locator("#ccp-hidden-note").IsVisibleAsync()).ShouldBeTrue();

        await page.ClickAsync("#ccp-toggle");
        frame = await FrameLayoutAsync(page);
        frame.Hidden.ShouldBeFalse();
        frame.Inert.ShouldBeFalse();
        frame.Left.ShouldBeGreaterThanOrEqualTo(0);
        (await page.GetAttributeAsync("#ccp-toggle", "aria-expanded")).ShouldBe("true");
        await page.ClickAsync("#ccp-toggle");
        (await FrameLayoutAsync(page)).Hidden.ShouldBeTrue();

        (await StatusAsync(page, "status-microphone")).ShouldStartWith("Microphone: not allowed yet.");
        (await StatusAsync(page, "status-call-audio")).ShouldBe("Call audio: no call right now.");
        await page.EvaluateAsync("() => window.__ccp.signIn('Ada <b>Lovelace</b>')");
        (await StatusAsync(page, "status-sign-in")).ShouldBe("Sign-in: signed in to Amazon Connect as Ada <b>Lovelace</b>.");
        (await page.Locator("#status-sign-in b").CountAsync()).ShouldBe(0);
        await ScreenshotAsync(page, "audio-only-signed-in");
        await page.EvaluateAsync("() => window.__ccp.authFail()");
        (await StatusAsync(page, "status-sign-in")).ShouldStartWith("Sign-in: not signed in, or the sign-in expired.");

        await ShouldBeCleanAsync(page);
    }

    [Fact]
    public async Task AudioOnlyPage_ShownControls_FrameTheCcpInView()
    {
        var page = await OpenAsync(SetupValues.AudioOnlyPageName,
            _generator.AudioOnlyPage(CcpPageParts.Values(), new CcpPagesSpec { HideAudioOnlyControls = false, Ringtone = false }));

        var options = (await InitCcpCallAsync(page))["options"]!;
        ShouldBeJson(options["softphone"]!, """{ "allowFramedSoftphone": true, "disableRingtone": true, "disableEchoCancellation": false }""");
        var frame = await FrameLayoutAsync(page);
        frame.Hidden.ShouldBeFalse();
        frame.Left.ShouldBeGreaterThanOrEqualTo(0);
        (await page.Locator("#ccp-toggle").IsVisibleAsync()).ShouldBeFalse();
        await ShouldBeCleanAsync(page);
    }

    [Fact]
    public async Task AudioOnlyPage_DuringACall_WarnsBeforeTheTabClosesAndNotAfter()
    {
        var page = await OpenAsync(SetupValues.AudioOnlyPageName, _generator.AudioOnlyPage(CcpPageParts.Values(), new CcpPagesSpec()));
        await InitCcpCallAsync(page);

        // A chat is no call audio.
        await page.EvaluateAsync("() => window.__ccp.startCall('chat-1', 'chat')");
        (await StatusAsync(page, "status-call-audio")).ShouldBe("Call audio: no call right now.");

        await page.EvaluateAsync("() => window.__ccp.startCall('call-1', 'voice')");
        (await StatusAsync(page, "status-call-audio")).ShouldStartWith("Call audio: a call is connected and its audio plays through this page.");
        await ScreenshotAsync(page, "audio-only-in-call");

        // Chromium shows the prompt only on a page the user has interacted with.
        await page.ClickAsync("h1");
        await page.CloseAsync(new() { RunBeforeUnload = true });
        (await _firstDialog.Task.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe("beforeunload");
        page.IsClosed.ShouldBeFalse();

        await page.EvaluateAsync("() => window.__ccp.endCall('call-1')");
        (await StatusAsync(page, "status-call-audio")).ShouldBe("Call audio: no call right now.");
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Close += (_, _) => closed.TrySetResult();
        await page.CloseAsync(new() { RunBeforeUnload = true });
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _dialogs.Count.ShouldBe(1);
    }

    [Fact]
    public async Task AudioOnlyPage_MicrophoneGranted_SaysItIsAllowed()
    {
        await _context.GrantPermissionsAsync(["microphone"], new() { Origin = PagesOrigin });
        var page = await OpenAsync(SetupValues.AudioOnlyPageName, _generator.AudioOnlyPage(CcpPageParts.Values(), new CcpPagesSpec()));
        await InitCcpCallAsync(page);

        await Assertions.Expect(page.Locator("#status-microphone")).ToHaveTextAsync("Microphone: allowed.");
        await ShouldBeCleanAsync(page);
    }

    [Fact]
    public async Task AudioOnlyPage_NoPermissionsApi_SaysItCannotTell()
    {
        await _context.AddInitScriptAsync("Object.defineProperty(navigator, 'permissions', { value: undefined });");
        var page = await OpenAsync(SetupValues.AudioOnlyPageName, _generator.AudioOnlyPage(CcpPageParts.Values(), new CcpPagesSpec()));
        await InitCcpCallAsync(page);

        (await StatusAsync(page, "status-microphone")).ShouldStartWith("Microphone: this browser cannot report whether it is allowed.");
        await ShouldBeCleanAsync(page);
    }

    [Fact]
    public async Task AudioOnlyPage_SelfTest_SaysEachCheckInWordsWithACodeThatFollowsThePage()
    {
        await _context.GrantPermissionsAsync(["microphone"], new() { Origin = PagesOrigin });
        await _context.AddInitScriptAsync("navigator.getAutoplayPolicy = () => 'disallowed';");
        var page = await OpenAsync(SetupValues.AudioOnlyPageName, _generator.AudioOnlyPage(CcpPageParts.Values(), new CcpPagesSpec()));
        await InitCcpCallAsync(page);
        (await page.Locator("#self-test-results").IsVisibleAsync()).ShouldBeFalse("nothing to read before it runs");

        await page.ClickAsync("#self-test-run");

        await Assertions.Expect(page.Locator("#self-test-code")).ToHaveTextAsync(
            "Code: M0 A1 F1 S1. Fix what is marked above; if you cannot, read this code to your administrator.");
        (await StatusAsync(page, "self-test-microphone")).ShouldBe("Microphone: allowed.");
        (await StatusAsync(page, "self-test-autoplay")).ShouldStartWith("Ringtone: this browser may not ring until you click on this page once.");
        (await StatusAsync(page, "self-test-ccp")).ShouldBe("Contact control panel: still loading.");

        // The contact control panel answers and the agent signs in: the same self-test now says so.
        await page.EvaluateAsync("() => { window.__ccp.initialized(); window.__ccp.signIn('Ada Lovelace'); }");
        await Assertions.Expect(page.Locator("#self-test-code")).ToHaveTextAsync(
            "Code: M0 A1 F0 S0. Fix what is marked above; if you cannot, read this code to your administrator.");
        (await StatusAsync(page, "self-test-ccp")).ShouldBe("Contact control panel: connected.");
        (await StatusAsync(page, "self-test-sign-in")).ShouldBe("Sign-in: signed in as Ada Lovelace.");
        (await page.GetAttributeAsync("#self-test-autoplay", "data-state")).ShouldBe("warn");
        await ScreenshotAsync(page, "audio-only-self-test");

        await page.EvaluateAsync("() => window.__ccp.authFail()");
        await Assertions.Expect(page.Locator("#self-test-code")).ToContainTextAsync("M0 A1 F0 S2");
        (await page.GetAttributeAsync("#self-test-sign-in", "data-state")).ShouldBe("error");
        await ShouldBeCleanAsync(page);
    }

    [Fact]
    public async Task AudioOnlyPage_SelfTest_HostileValuesAndAgentNameStayText()
    {
        await _context.GrantPermissionsAsync(["microphone"], new() { Origin = PagesOrigin });
        await _context.AddInitScriptAsync("navigator.getAutoplayPolicy = () => 'allowed';");
        var page = await OpenAsync(SetupValues.AudioOnlyPageName, _generator.AudioOnlyPage(CcpPageGeneratorTests.HostileValues, new CcpPagesSpec()));
        await InitCcpCallAsync(page);

        await page.ClickAsync("#self-test-run");
        await page.EvaluateAsync("() => { window.__ccp.initialized(); window.__ccp.signIn('<img src=x onerror=alert(1)>'); }");

        await Assertions.Expect(page.Locator("#self-test-code")).ToHaveTextAsync("Code: M0 A0 F0 S0. Everything is ready for calls.");
        (await StatusAsync(page, "self-test-sign-in")).ShouldBe("Sign-in: signed in as <img src=x onerror=alert(1)>.");
        (await page.EvaluateAsync<int>("() => document.images.length")).ShouldBe(0);
        (await page.EvaluateAsync<int>("() => document.scripts.length")).ShouldBe(3);
        _dialogs.ShouldBeEmpty();
        await ShouldBeCleanAsync(page);
    }

    [Fact]
    public async Task InSessionPage_InChromium_PassesTheExactOptionsAndNeverStartsASoftphoneManager()
    {
        var pages = new CcpPagesSpec { LoginPopupAutoClose = false, CcpAckTimeoutMs = 3500, CcpSynTimeoutMs = 1500, CcpLoadTimeoutMs = 8000 };
        var page = await OpenAsync(SetupValues.InSessionPageName, _generator.InSessionPage(CcpPageParts.Values(), pages));

        var call = await InitCcpCallAsync(page);
        call["containerId"]!.GetValue<string>().ShouldBe("ccp");
        ShouldBeJson(call["options"]!, """
            {
              "ccpUrl": "https://northwind.my.connect.aws/ccp-v2/",
              "loginPopup": true,
              "loginPopupAutoClose": false,
              "loginUrl": "https://d-9067a1b2c3.awsapps.com/start/#/saml/custom/Northwind%20CCP/MTIzNDU2Nzg5MDEy",
              "region": "eu-west-2",
              "softphone": { "allowFramedSoftphone": false, "disableRingtone": true },
              "pageOptions": { "enableAudioDeviceSettings": false, "enablePhoneTypeSettings": true },
              "ccpAckTimeout": 3500,
              "ccpSynTimeout": 1500,
              "ccpLoadTimeout": 8000
            }
            """);

        // The media-less page leaves the audio alone: no softphone manager, and no call handlers, so no close warning.
        await page.EvaluateAsync("() => window.__ccp.signIn('Ada')");
        (await page.EvaluateAsync<int>("() => window.__ccp.contactCallbacks.length")).ShouldBe(0);
        (await page.EvaluateAsync<int>("() => window.__ccp.softphoneManagerCalls")).ShouldBe(0);
        (await StatusAsync(page, "status-sign-in")).ShouldBe("Sign-in: signed in to Amazon Connect as Ada.");

        var frame = await FrameLayoutAsync(page);
        frame.Hidden.ShouldBeFalse();
        frame.Left.ShouldBeGreaterThanOrEqualTo(0);
        frame.Width.ShouldBeGreaterThanOrEqualTo(320);
        (await page.InnerTextAsync("main")).ShouldContain("Do not open the standard Amazon Connect contact control panel (ccp-v2) in this session.");
        await ScreenshotAsync(page, "in-session");
        await ShouldBeCleanAsync(page);
    }

    [Theory]
    [InlineData(SetupValues.AudioOnlyPageName)]
    [InlineData(SetupValues.InSessionPageName)]
    public async Task Page_HostileValues_ShowNoDialogAndReachInitCcpAsData(string pageName)
    {
        var values = CcpPageGeneratorTests.HostileValues;
        var html = pageName == SetupValues.AudioOnlyPageName
            ? _generator.AudioOnlyPage(values, new CcpPagesSpec())
            : _generator.InSessionPage(values, new CcpPagesSpec());
        var page = await OpenAsync(pageName, html);

        var options = (await InitCcpCallAsync(page))["options"]!;
        options["ccpUrl"]!.GetValue<string>().ShouldBe(values.CcpUrl);
        options["loginUrl"]!.GetValue<string>().ShouldBe(values.LoginUrl);
        options["region"]!.GetValue<string>().ShouldBe(values.Region);

        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        (await page.EvaluateAsync<int>("() => document.scripts.length")).ShouldBe(3);
        (await page.EvaluateAsync<int>("() => document.images.length")).ShouldBe(0);
        (await page.TitleAsync()).ShouldEndWith(" - Amazon Connect");
        _dialogs.ShouldBeEmpty();
        await ShouldBeCleanAsync(page);
    }

    [Fact]
    public async Task Csp_ForeignImageAndInjectedScript_AreBlockedAndReported()
    {
        // Proves the page's policy is in force and that the violation checks above can see a violation.
        var page = await OpenAsync(SetupValues.AudioOnlyPageName, _generator.AudioOnlyPage(CcpPageParts.Values(), new CcpPagesSpec()));
        await InitCcpCallAsync(page);

        await page.EvaluateAsync("""
            () => {
              const img = document.createElement('img');
              img.src = 'https://evil.example/x.png';
              const script = document.createElement('script');
              script.textContent = 'window.__injectedRan = true;';
              document.body.append(img, script);
            }
            """);
        await page.WaitForFunctionAsync("() => window.__cspViolations.length >= 2");

        var violations = await ViolationsAsync(page);
        violations.ShouldContain("img-src https://evil.example/x.png");
        violations.ShouldContain("script-src-elem inline");
        (await page.EvaluateAsync<bool>("() => window.__injectedRan === true")).ShouldBeFalse();
    }

    [Theory]
    [InlineData(SetupValues.AudioOnlyPageName)]
    [InlineData(SetupValues.InSessionPageName)]
    public async Task Page_WithTheRealLibrary_FramesTheCcpWithoutViolations(string pageName)
    {
        var values = CcpPageParts.Values();
        var html = pageName == SetupValues.AudioOnlyPageName
            ? _generator.AudioOnlyPage(values, new CcpPagesSpec())
            : _generator.InSessionPage(values, new CcpPagesSpec());
        await _context.RouteAsync($"{InstanceOrigin}/**", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "text/html; charset=utf-8",
            Body = "<!DOCTYPE html><title>CCP</title><p>stand-in CCP</p>",
        }));
        var page = await OpenAsync(pageName, html, ConnectStreamsAsset.Instance.Content.ToArray());

        var frame = page.Locator("#ccp iframe");
        await frame.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        (await frame.GetAttributeAsync("src")).ShouldBe(values.CcpUrl);
        (await frame.GetAttributeAsync("allow")).ShouldNotBeNull().ShouldContain("microphone");
        await page.FrameLocator("#ccp iframe").GetByText("stand-in CCP").WaitForAsync();

        // Give the library time to set up its conduit, keep-alive and providers before looking for violations.
        await page.WaitForTimeoutAsync(1500);
        (await page.EvaluateAsync<string>("() => connect.version")).ShouldStartWith("2.28");
        await ShouldBeCleanAsync(page);
    }

    private async Task<IPage> OpenAsync(string pageName, string html, byte[]? connectStreams = null)
    {
        await _context.RouteAsync($"{PagesOrigin}/**", route =>
        {
            var path = new Uri(route.Request.Url).AbsolutePath;
            return path == $"/{pageName}"
                ? route.FulfillAsync(new() { Status = 200, ContentType = "text/html; charset=utf-8", Body = html })
                : path == $"/{SetupValues.ConnectStreamsName}"
                    ? route.FulfillAsync(new() { Status = 200, ContentType = "text/javascript", BodyBytes = connectStreams ?? Encoding.UTF8.GetBytes(RecordingStub) })
                    : route.FulfillAsync(new() { Status = 404 });
        });

        var page = await _context.NewPageAsync();
        await page.AddInitScriptAsync(ViolationRecorder);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" || message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                _consoleProblems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _pageErrors.Add(error);
        page.Dialog += async (_, dialog) =>
        {
            // Dismissed, so an alert can never stall the page; a beforeunload prompt dismissed keeps the page open.
            _dialogs.Add(dialog.Type);
            _firstDialog.TrySetResult(dialog.Type);
            await dialog.DismissAsync();
        };
        var response = await page.GotoAsync($"{PagesOrigin}/{pageName}");
        response.ShouldNotBeNull().Status.ShouldBe(200);
        return page;
    }

    private static async Task<JsonNode> InitCcpCallAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.__ccp && window.__ccp.initCcpCalls.length > 0");
        var calls = JsonNode.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.__ccp.initCcpCalls)"))!.AsArray();
        calls.Count.ShouldBe(1);
        return calls[0]!;
    }

    private static Task<byte[]> ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"{nameof(CcpPagesBrowserTests)}-{name}.png"), FullPage = true });

    private static async Task<string> StatusAsync(IPage page, string id) => (await page.TextContentAsync($"#{id}"))!;

    private static async Task<List<string>> ViolationsAsync(IPage page) =>
        [.. await page.EvaluateAsync<string[]>("() => window.__cspViolations")];

    private async Task ShouldBeCleanAsync(IPage page)
    {
        (await ViolationsAsync(page)).ShouldBeEmpty();
        _consoleProblems.ShouldBeEmpty();
        _pageErrors.ShouldBeEmpty();
    }

    private static async Task<FrameLayout> FrameLayoutAsync(IPage page) =>
        JsonSerializer.Deserialize<FrameLayout>(await page.EvaluateAsync<string>("""
            () => {
              const container = document.getElementById('ccp');
              const frame = container.querySelector('iframe');
              const box = frame.getBoundingClientRect();
              return JSON.stringify({
                display: getComputedStyle(container).display,
                hidden: container.classList.contains('ccp-offscreen') && getComputedStyle(container).opacity === '0',
                inert: container.inert,
                width: box.width, height: box.height, left: box.left, right: box.right,
              });
            }
            """), JsonSerializerOptions.Web)!;

    private static void ShouldBeJson(JsonNode actual, string expected) =>
        JsonNode.DeepEquals(actual, JsonNode.Parse(expected)).ShouldBeTrue($"expected {expected}\nbut got {actual.ToJsonString()}");

    private sealed record FrameLayout(string Display, bool Hidden, bool Inert, double Width, double Height, double Left, double Right);
}
