using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Ccp;

/// <summary>
/// Writes the two static pages of the split CCP: <c>AudioOnly.html</c>, the media CCP in the agent's local browser, and
/// <c>InSession.html</c>, the media-less CCP inside the AppStream session. Both load <c>connect-streams.js</c> from their
/// own folder and one inline loader script; every tenant value travels as JSON data in a non-executable script block.
/// </summary>
public sealed partial class CcpPageGenerator
{
    internal const string AudioOnlyPageKind = "audio-only";
    internal const string InSessionPageKind = "in-session";

    private const string LoaderResource = "SplitCcp.Core.Ccp.ccp-loader.js";
    private const string StyleResource = "SplitCcp.Core.Ccp.ccp-pages.css";

    // JavaScriptEncoder.Default escapes <, >, &, ', ", + and everything outside ASCII (U+2028 and U+2029 included),
    // so the JSON can neither close its <script> element nor read as anything but data.
    private static readonly JsonSerializerOptions s_json = new()
    {
        Encoder = JavaScriptEncoder.Default,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        NewLine = "\n",
    };

    private readonly string _loader;
    private readonly string _style;

    // The CSP's sources for the inline script and style, which are the same in every page: worked out once.
    private readonly string _loaderSource;
    private readonly string _styleSource;

    public CcpPageGenerator()
    {
        _loader = EmbeddedResource.ReadText(LoaderResource);
        _style = EmbeddedResource.ReadText(StyleResource);
        _loaderSource = HashSource(_loader);
        _styleSource = HashSource(_style);
    }

    /// <summary>The inline loader, identical in both pages and free of tenant values.</summary>
    internal string LoaderScript => _loader;

    public string AudioOnlyPage(SetupValues values, CcpPagesSpec pages)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(pages);
        var urls = CheckedUrls.From(values);
        var config = new PageConfig(AudioOnlyPageKind, pages.HideAudioOnlyControls, new InitCcpOptions(
            urls.CcpUrl,
            LoginPopup: true,
            pages.LoginPopupAutoClose,
            urls.LoginUrl,
            values.Region,
            new SoftphoneOptions(AllowFramedSoftphone: true, DisableRingtone: !pages.Ringtone, DisableEchoCancellation: !pages.EchoCancellation),
            new PageOptions(EnableAudioDeviceSettings: true, EnablePhoneTypeSettings: false),
            pages.CcpAckTimeoutMs,
            pages.CcpSynTimeoutMs,
            pages.CcpLoadTimeoutMs));

        return Page(urls, config, "Call audio", $"""
            <h1>Call audio</h1>
            <p>Keep this page open while you take calls: it plays the call audio on this PC and uses its microphone. Answer, hold and end calls in the contact control panel of your AppStream session.</p>
            <section aria-labelledby="status-heading">
            <h2 id="status-heading">Status</h2>
            <ul class="status" aria-live="polite">
            <li id="status-sign-in" data-state="pending">Sign-in: starting. A sign-in window opens if you are not signed in; allow pop-ups for this site if none appears.</li>
            <li id="status-microphone" data-state="pending">Microphone: checking.</li>
            <li id="status-call-audio" data-state="pending">Call audio: waiting for sign-in.</li>
            </ul>
            <noscript><p class="note warning">This page needs JavaScript.</p></noscript>
            </section>
            <section id="self-test" aria-labelledby="self-test-heading">
            <h2 id="self-test-heading">Self-test</h2>
            <p>Run it before your first call: it checks the microphone, the ringtone, the contact control panel and your sign-in.</p>
            <button type="button" id="self-test-run">Run the self-test</button>
            <ul class="status" id="self-test-results" aria-live="polite" hidden>
            <li id="self-test-microphone" data-state="pending">Microphone: checking.</li>
            <li id="self-test-autoplay" data-state="pending">Ringtone: checking.</li>
            <li id="self-test-ccp" data-state="pending">Contact control panel: checking.</li>
            <li id="self-test-sign-in" data-state="pending">Sign-in: checking.</li>
            <li id="self-test-code" class="code" data-state="pending">Code: not known yet.</li>
            </ul>
            </section>
            <section aria-labelledby="ccp-heading">
            <h2 id="ccp-heading">Contact control panel</h2>
            <p id="ccp-hidden-note" hidden>The controls are hidden: use the contact control panel in your AppStream session for calls.</p>
            <button type="button" id="ccp-toggle" aria-controls="ccp" aria-expanded="true" hidden>Hide the call controls</button>
            <div id="ccp" class="ccp"></div>
            </section>
            """);
    }

    public string InSessionPage(SetupValues values, CcpPagesSpec pages)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(pages);
        var urls = CheckedUrls.From(values);

        // Media-less: the framed CCP never takes the softphone, and this page never starts a softphone manager, so the
        // call audio stays with the audio-only page on the agent's PC. The ringtone and the audio devices belong there too;
        // a second ringtone streamed from the session would ring late and twice.
        var config = new PageConfig(InSessionPageKind, HideControls: false, new InitCcpOptions(
            urls.CcpUrl,
            LoginPopup: true,
            pages.LoginPopupAutoClose,
            urls.LoginUrl,
            values.Region,
            new SoftphoneOptions(AllowFramedSoftphone: false, DisableRingtone: true, DisableEchoCancellation: null),
            new PageOptions(EnableAudioDeviceSettings: false, EnablePhoneTypeSettings: true),
            pages.CcpAckTimeoutMs,
            pages.CcpSynTimeoutMs,
            pages.CcpLoadTimeoutMs));

        return Page(urls, config, "Call controls", $"""
            <h1>Call controls</h1>
            <p class="note">Call audio plays on your own PC, in the <strong>Call audio</strong> page ({SetupValues.AudioOnlyPageName}) in your local browser, not in this AppStream session. Keep that page open while you work.</p>
            <p class="note warning"><strong>Do not open the standard Amazon Connect contact control panel (ccp-v2) in this session.</strong> It would take the call audio away from your PC, and callers would not hear you.</p>
            <section aria-labelledby="status-heading">
            <h2 id="status-heading">Status</h2>
            <ul class="status" aria-live="polite">
            <li id="status-sign-in" data-state="pending">Sign-in: starting. A sign-in window opens if you are not signed in; allow pop-ups for this site if none appears.</li>
            </ul>
            <noscript><p class="note warning">This page needs JavaScript.</p></noscript>
            </section>
            <section aria-labelledby="ccp-heading">
            <h2 id="ccp-heading">Contact control panel</h2>
            <div id="ccp" class="ccp"></div>
            </section>
            """);
    }

    /// <summary>
    /// The policy both pages carry in a meta element. frame-ancestors cannot be set that way; a host that can send
    /// headers (CloudFront) should add it there.
    /// </summary>
    public string ContentSecurityPolicy(SetupValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return ContentSecurityPolicy(CheckedUrls.From(values).ConnectOrigin);
    }

    internal static string HashSource(string inlineContent) =>
        $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inlineContent)))}'";

    private string ContentSecurityPolicy(string connectOrigin) =>
        $"default-src 'none'; script-src 'self' {_loaderSource}; style-src {_styleSource}; frame-src {connectOrigin}; "
        + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

    private string Page(CheckedUrls urls, PageConfig config, string title, string body)
    {
        // The origin is rebuilt from a parsed, checked URL and holds only [a-z0-9.:/-]; encoding it as well costs nothing.
        var csp = ContentSecurityPolicy(HtmlEncoder.Default.Encode(urls.ConnectOrigin));
        var json = JsonSerializer.Serialize(config, s_json);
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="{csp}">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} - Amazon Connect</title>
            <style>{_style}</style>
            </head>
            <body>
            <main>
            {body}
            </main>
            <script type="application/json" id="ccp-config">
            {json}
            </script>
            <script src="./{SetupValues.ConnectStreamsName}"></script>
            <script>{_loader}</script>
            </body>
            </html>

            """.ReplaceLineEndings("\n");
    }

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();

    /// <summary>
    /// The three URLs the pages need, refused unless they are https:// (defence in depth: the spec rules check them
    /// first). The CCP must live on the instance origin, the only one frame-src allows.
    /// </summary>
    private sealed record CheckedUrls(string CcpUrl, string LoginUrl, string ConnectOrigin)
    {
        public static CheckedUrls From(SetupValues values)
        {
            var instance = Https(values.ConnectInstanceUrl, nameof(SetupValues.ConnectInstanceUrl));
            var ccp = Https(values.CcpUrl, nameof(SetupValues.CcpUrl));
            Https(values.LoginUrl, nameof(SetupValues.LoginUrl));

            var origin = Origin(instance, nameof(SetupValues.ConnectInstanceUrl));
            if (Origin(ccp, nameof(SetupValues.CcpUrl)) != origin)
            {
                throw new InvalidOperationException(
                    $"SetupValues.CcpUrl must be on the Connect instance's origin ({origin}): the pages' policy lets them frame only that origin.");
            }

            return new CheckedUrls(values.CcpUrl!, values.LoginUrl!, origin);
        }

        private static Uri Https(string? value, string name)
        {
            if (value is null)
            {
                throw new InvalidOperationException($"SetupValues.{name} is not known yet: the CCP pages cannot be generated without it.");
            }

            if (!value.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
                || uri.Scheme != Uri.UriSchemeHttps
                || uri.UserInfo.Length > 0)
            {
                throw new InvalidOperationException($"SetupValues.{name} must be an https:// URL; it is not put in a CCP page.");
            }

            return uri;
        }

        private static string Origin(Uri uri, string name)
        {
            var host = uri.IdnHost.ToLowerInvariant();
            if (uri.HostNameType != UriHostNameType.Dns || !DnsName().IsMatch(host))
            {
                throw new InvalidOperationException($"SetupValues.{name} must name its host by a DNS name; it is not put in a CCP page.");
            }

            return uri.IsDefaultPort ? $"https://{host}" : $"https://{host}:{uri.Port}";
        }
    }

    private sealed record PageConfig(string Page, bool HideControls, InitCcpOptions InitCcp);

    /// <summary>The options object passed as is to <c>connect.core.initCCP</c>.</summary>
    private sealed record InitCcpOptions(
        string CcpUrl,
        bool LoginPopup,
        bool LoginPopupAutoClose,
        string LoginUrl,
        string Region,
        SoftphoneOptions Softphone,
        PageOptions PageOptions,
        int CcpAckTimeout,
        int CcpSynTimeout,
        int CcpLoadTimeout);

    private sealed record SoftphoneOptions(bool AllowFramedSoftphone, bool DisableRingtone, bool? DisableEchoCancellation);

    private sealed record PageOptions(bool EnableAudioDeviceSettings, bool EnablePhoneTypeSettings);
}
