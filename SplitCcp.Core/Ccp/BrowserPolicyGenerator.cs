using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SplitCcp.Core.Ccp.Policies;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Ccp;

/// <summary>
/// The browser settings the split CCP needs, as files an operator downloads: a PowerShell script for the AppStream image
/// builder (the in-session panel's browser) and policies for the agents' own PCs (the audio-only panel's browser).
/// Every tenant value is written as data for its format: see each method for how, and the tests for the proof.
/// </summary>
public static class BrowserPolicyGenerator
{
    /// <summary>
    /// Shown wherever the UI offers <see cref="AgentFirefoxPolicies"/>. AWS's guide to the CCP in a VDI advises against
    /// Firefox as the local audio browser in a split setup; inside AppStream (call control only) it is fine.
    /// </summary>
    public const string FirefoxLocalMediaWarning =
        "Firefox is not recommended for the audio-only page on the agent's PC: it lets the page use the microphone only "
        + "while that tab has focus, so the caller stops hearing the agent as soon as the agent switches to AppStream. "
        + "Use Chrome or Edge on the agent's PC; Firefox is fine inside AppStream.";

    /// <summary>
    /// How to save <see cref="AgentChromeRegistry"/>: UTF-16 little-endian with a byte-order mark, which regedit expects
    /// for a "Version 5.00" file. <see cref="Encoding.GetBytes(string)"/> leaves the mark out: write
    /// <see cref="Encoding.GetPreamble"/> first, or use a writer that does (<c>File.WriteAllText(path, text, encoding)</c>).
    /// </summary>
    public static Encoding RegistryFileEncoding { get; } = new UnicodeEncoding(bigEndian: false, byteOrderMark: true);

    private const string ChromePolicies = @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome";
    private const string EdgePolicies = @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge";
    private const string ImageDisplayName = "Amazon Connect split CCP";
    private const string ImageDescription = "Amazon Connect in-session CCP (call control) with its browser policies";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, NewLine = "\n" };

    /// <summary>
    /// A Windows PowerShell 5.1 script for the image builder: the chosen browser's policies (Chrome's under
    /// HKLM:\SOFTWARE\Policies\Google\Chrome, Firefox's in distribution\policies.json), the browser registered with
    /// Image Assistant to open the in-session page, and the <c>create-image</c> command printed for the operator.
    /// The script is ASCII with CRLF lines, so any encoding saves it. Tenant values appear only in its first block of
    /// assignments, as single-quoted literals with <c>'</c> doubled, or base64 when they hold anything but printable
    /// ASCII; the Firefox policies are System.Text.Json output carried the same way.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A value the script needs is not known yet, or the image name breaks AppStream's rule (a draft spec can hold one);
    /// the message names the value.
    /// </exception>
    /// <exception cref="ArgumentException">A URL no browser could use (not https://, or a NUL): never from <see cref="SetupValues.For"/>.</exception>
    public static string ImageBuilderScript(SetupValues values, AppStreamSpec appStream)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(appStream);
        var hostingOrigin = Url(values.HostingOrigin, nameof(SetupValues.HostingOrigin));
        var inSessionUrl = Url(values.InSessionUrl, nameof(SetupValues.InSessionUrl));
        var connectInstanceUrl = Url(values.ConnectInstanceUrl, nameof(SetupValues.ConnectInstanceUrl));
        var imageName = ImageName(appStream.ImageName);

        string[] pageAndConnect = [.. new[] { hostingOrigin, connectInstanceUrl }.Distinct(StringComparer.Ordinal)];
        // Quoted once for the browser's command line, then once more for Image Assistant's (see the script's comment).
        var launchParameters = WindowsCommandLine.Quote(WindowsCommandLine.Quote(inSessionUrl));
        var createImage = $"image-assistant.exe create-image --name {imageName} --display-name \"{ImageDisplayName}\" --description \"{ImageDescription}\"";

        var data = new StringBuilder()
            .Append("$inSessionUrl = ").AppendLine(PowerShellLiteral.For(inSessionUrl))
            .Append("$launchParameters = ").AppendLine(PowerShellLiteral.For(launchParameters))
            .Append("$createImageCommand = ").AppendLine(PowerShellLiteral.For(createImage));
        string browser;
        if (appStream.Browser == AgentBrowser.Firefox)
        {
            var policies = new JsonObject
            {
                ["DontCheckDefaultBrowser"] = true,
                ["PopupBlocking"] = new JsonObject { ["Allow"] = Origins(OriginOf(inSessionUrl)) },
                ["Cookies"] = new JsonObject { ["Allow"] = Origins(pageAndConnect) },
                ["Permissions"] = new JsonObject
                {
                    ["Notifications"] = new JsonObject { ["Allow"] = Origins(hostingOrigin) },
                },
            };
            // Compact, with System.Text.Json's default escaping: printable ASCII on one line, so it is a plain
            // single-quoted literal the operator can read, and it never needs the base64 form.
            data.Append("$firefoxPolicies = ").AppendLine(PowerShellLiteral.For(new JsonObject { ["policies"] = policies }.ToJsonString()));
            browser = ImageBuilderScriptText.Firefox;
        }
        else
        {
            data.Append("$popupsAllowedForUrls = ").AppendLine(PowerShellLiteral.Array([OriginOf(inSessionUrl)]))
                .Append("$cookiesAllowedForUrls = ").AppendLine(PowerShellLiteral.Array(pageAndConnect))
                .Append("$javaScriptAllowedForUrls = ").AppendLine(PowerShellLiteral.Array(pageAndConnect))
                .Append("$notificationsAllowedForUrls = ").AppendLine(PowerShellLiteral.Array([hostingOrigin]));
            browser = ImageBuilderScriptText.Chrome;
        }

        var script = string.Join(
            "\n\n",
            ImageBuilderScriptText.Header + "\n" + data.ToString().TrimEnd(),
            ImageBuilderScriptText.Functions,
            browser,
            ImageBuilderScriptText.ImageAssistant);
        return script.ReplaceLineEndings("\r\n") + "\r\n";
    }

    /// <summary>
    /// A .reg file for the agents' PCs (CRLF lines; save it with <see cref="RegistryFileEncoding"/>) that lets the
    /// audio-only page's origin use the microphone, autoplay the ringtone and open the sign-in pop-up, in Chrome and
    /// in Edge. Each list key is deleted before it is written, so importing the file again replaces the lists.
    /// Values are escaped for .reg strings (<c>\</c> and <c>"</c>); a value with a line break cannot be carried and throws.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="SetupValues.AudioOnlyUrl"/> is not known yet.</exception>
    /// <exception cref="ArgumentException">The URL is not https://, or holds a line break or another control character.</exception>
    public static string AgentChromeRegistry(SetupValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] origin = [OriginOf(Url(values.AudioOnlyUrl, nameof(SetupValues.AudioOnlyUrl)))];
        var file = new RegistryFile()
            .Comment(
                "Split CCP: lets the audio-only page use the microphone, play the ringtone and open the sign-in pop-up,",
                "in Chrome and in Edge. Importing this file again is safe: each list is deleted, then written again.");
        foreach (var browser in new[] { ChromePolicies, EdgePolicies })
        {
            file.List($@"{browser}\AudioCaptureAllowedUrls", origin)
                .List($@"{browser}\AutoplayAllowlist", origin)
                .List($@"{browser}\PopupsAllowedForUrls", origin);
        }

        return file.ToString();
    }

    /// <summary>
    /// A policies.json for Firefox on an agent's PC (into <c>distribution</c> beside firefox.exe): microphone, autoplay
    /// and pop-ups allowed for the audio-only page's origin, each left unlocked so the agent can still change other
    /// sites. Built with System.Text.Json, so any value is escaped as JSON. Show <see cref="FirefoxLocalMediaWarning"/>
    /// beside it.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="SetupValues.AudioOnlyUrl"/> is not known yet.</exception>
    /// <exception cref="ArgumentException">The URL is not https://, or holds a NUL.</exception>
    public static string AgentFirefoxPolicies(SetupValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var origin = OriginOf(Url(values.AudioOnlyUrl, nameof(SetupValues.AudioOnlyUrl)));
        var policies = new JsonObject
        {
            ["Permissions"] = new JsonObject
            {
                ["Microphone"] = new JsonObject { ["Allow"] = Origins(origin), ["Locked"] = false },
                ["Autoplay"] = new JsonObject { ["Allow"] = Origins(origin), ["Locked"] = false },
            },
            ["PopupBlocking"] = new JsonObject { ["Allow"] = Origins(origin), ["Locked"] = false },
        };
        return new JsonObject { ["policies"] = policies }.ToJsonString(s_indented) + "\n";
    }

    private static JsonArray Origins(params string[] origins) => [.. origins.Select(o => JsonValue.Create(o))];

    /// <summary>
    /// Browser policies take origins with their scheme, and the pages need HTTPS for the microphone; a value that starts
    /// with https:// also cannot be read as a browser switch. Everything after it is carried as data, whatever it holds.
    /// </summary>
    private static string Url(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"{name} is not known yet: finish the tenant's hosting and Connect instance settings first.");
        }

        if (!value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name} must be an https:// URL without NUL characters.", nameof(value));
        }

        return value;
    }

    private static string ImageName(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"{nameof(AppStreamSpec.ImageName)} is not set: name the image to capture first.");
        }

        // AppStream's own naming rule; it also keeps the printed command free of anything a shell would interpret.
        // A draft spec is saved unvalidated, so this is "not ready" for the operator rather than a bug.
        return TenantSpecRules.AppStreamName(value) is { } error
            ? throw new InvalidOperationException($"{nameof(AppStreamSpec.ImageName)}: {error}")
            : value;
    }

    /// <summary>Scheme and host (and port) of an https:// URL: everything before the path, query or fragment.</summary>
    private static string OriginOf(string url)
    {
        var end = url.IndexOfAny(['/', '?', '#'], "https://".Length);
        return end < 0 ? url : url[..end];
    }
}
