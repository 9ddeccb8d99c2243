using System.Text.Json;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Ccp;

public sealed class BrowserPolicyGeneratorTests
{
    private static readonly SetupValues s_normal = PolicyTestValues.Normal;

    [Fact]
    public void ImageBuilderScript_Chrome_MatchesGolden()
    {
        Golden.Match("image-builder-chrome.ps1", BrowserPolicyGenerator.ImageBuilderScript(s_normal, PolicyTestValues.AppStream(AgentBrowser.Chrome)));
    }

    [Fact]
    public void ImageBuilderScript_Firefox_MatchesGolden()
    {
        Golden.Match("image-builder-firefox.ps1", BrowserPolicyGenerator.ImageBuilderScript(s_normal, PolicyTestValues.AppStream(AgentBrowser.Firefox)));
    }

    [Fact]
    public void AgentChromeRegistry_NormalSpec_MatchesGolden()
    {
        Golden.Match("agent-chrome-edge.reg", BrowserPolicyGenerator.AgentChromeRegistry(s_normal));
    }

    [Fact]
    public void AgentFirefoxPolicies_NormalSpec_MatchesGolden()
    {
        Golden.Match("agent-firefox-policies.json", BrowserPolicyGenerator.AgentFirefoxPolicies(s_normal));
    }

    [Fact]
    public void NormalValues_FromSetupValuesFor_AreTheExpectedOrigins()
    {
        s_normal.HostingOrigin.ShouldBe(PolicyTestValues.Origin);
        s_normal.InSessionUrl.ShouldBe(PolicyTestValues.Origin + "/InSession.html");
        s_normal.AudioOnlyUrl.ShouldBe(PolicyTestValues.Origin + "/AudioOnly.html");
        s_normal.ConnectInstanceUrl.ShouldBe(PolicyTestValues.ConnectUrl);
    }

    [Theory]
    [InlineData(AgentBrowser.Chrome)]
    [InlineData(AgentBrowser.Firefox)]
    public void ImageBuilderScript_AnyBrowser_StartsWithTheSafetyPreambleAndUsesCrlfAscii(AgentBrowser browser)
    {
        var script = BrowserPolicyGenerator.ImageBuilderScript(s_normal, PolicyTestValues.AppStream(browser));

        script.ShouldStartWith("#Requires -RunAsAdministrator\r\n");
        script.ShouldContain("\r\nSet-StrictMode -Version Latest\r\n$ErrorActionPreference = 'Stop'\r\n");
        script.Replace("\r\n", "", StringComparison.Ordinal).ShouldNotContain('\n');
        script.Replace("\r\n", "", StringComparison.Ordinal).ShouldNotContain('\r');
        script.ShouldAllBe(c => c == '\r' || c == '\n' || (c >= ' ' && c <= '~'));
    }

    [Fact]
    public void ImageBuilderScript_Chrome_ClearsEachListThenWritesItUnderHklmChromePolicies()
    {
        var script = PowerShellScript.Parse(BrowserPolicyGenerator.ImageBuilderScript(s_normal, PolicyTestValues.AppStream(AgentBrowser.Chrome)));
        var data = script.EvaluateData();

        script.Text.ShouldContain("[Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)");
        script.Text.ShouldContain("$chrome = $machine.CreateSubKey('SOFTWARE\\Policies\\Google\\Chrome')");
        script.Text.ShouldContain("$Policies.DeleteSubKeyTree($Name, $false)\r\n    $list = $Policies.CreateSubKey($Name)");
        script.Text.ShouldContain("$list.SetValue([string] ($i + 1), $Urls[$i], [Microsoft.Win32.RegistryValueKind]::String)");
        script.Text.ShouldContain("$chrome.SetValue('DefaultBrowserSettingEnabled', 0, [Microsoft.Win32.RegistryValueKind]::DWord)");
        foreach (var (policy, variable) in new[]
        {
            ("PopupsAllowedForUrls", "popupsAllowedForUrls"),
            ("CookiesAllowedForUrls", "cookiesAllowedForUrls"),
            ("JavaScriptAllowedForUrls", "javaScriptAllowedForUrls"),
            ("NotificationsAllowedForUrls", "notificationsAllowedForUrls"),
        })
        {
            script.Text.ShouldContain($"Set-ChromeUrlList $chrome '{policy}' ${variable}\r\n");
        }

        data["popupsAllowedForUrls"].ShouldBe(new[] { PolicyTestValues.Origin });
        data["cookiesAllowedForUrls"].ShouldBe(new[] { PolicyTestValues.Origin, PolicyTestValues.ConnectUrl });
        data["javaScriptAllowedForUrls"].ShouldBe(new[] { PolicyTestValues.Origin, PolicyTestValues.ConnectUrl });
        data["notificationsAllowedForUrls"].ShouldBe(new[] { PolicyTestValues.Origin });
        script.Text.ShouldNotContain("policies.json", Case.Insensitive);
        script.Text.ShouldNotContain("Mozilla", Case.Insensitive);
    }

    [Fact]
    public void ImageBuilderScript_Firefox_WritesPoliciesJsonBesideFirefoxWithOriginsOnly()
    {
        var script = PowerShellScript.Parse(BrowserPolicyGenerator.ImageBuilderScript(s_normal, PolicyTestValues.AppStream(AgentBrowser.Firefox)));
        var json = (string)script.EvaluateData()["firefoxPolicies"]!;

        using var document = JsonDocument.Parse(json);
        var policies = document.RootElement.GetProperty("policies");
        policies.GetProperty("DontCheckDefaultBrowser").GetBoolean().ShouldBeTrue();
        Strings(policies.GetProperty("PopupBlocking").GetProperty("Allow")).ShouldBe([PolicyTestValues.Origin]);
        Strings(policies.GetProperty("Cookies").GetProperty("Allow")).ShouldBe([PolicyTestValues.Origin, PolicyTestValues.ConnectUrl]);
        Strings(policies.GetProperty("Permissions").GetProperty("Notifications").GetProperty("Allow")).ShouldBe([PolicyTestValues.Origin]);
        script.Text.ShouldContain("Find-Browser 'Mozilla Firefox' 'firefox.exe'");
        script.Text.ShouldContain("[System.IO.Path]::Combine([System.IO.Path]::GetDirectoryName($browserPath), 'distribution')");
        script.Text.ShouldNotContain("HKEY", Case.Insensitive);
        script.Text.ShouldNotContain("Registry", Case.Insensitive);
    }

    [Theory]
    [InlineData(AgentBrowser.Chrome, "chrome.exe")]
    [InlineData(AgentBrowser.Firefox, "firefox.exe")]
    public void ImageBuilderScript_AnyBrowser_RegistersItWithImageAssistantAndPrintsCreateImage(AgentBrowser browser, string executable)
    {
        var script = PowerShellScript.Parse(BrowserPolicyGenerator.ImageBuilderScript(s_normal, PolicyTestValues.AppStream(browser)));
        var data = script.EvaluateData();

        script.Text.ShouldContain("$imageAssistant = 'C:\\Program Files\\Amazon\\Photon\\ConsoleImageBuilder\\image-assistant.exe'");
        script.Text.ShouldContain($"' '{executable}'\r\n");
        script.Text.ShouldContain("'add-application --name AmazonConnect --absolute-app-path \"' + $browserPath + '\" --display-name \"Amazon Connect\" --launch-parameters ' + $launchParameters");
        data["launchParameters"].ShouldBe("\"\\\"https://d111111abcdef8.cloudfront.net/InSession.html\\\"\"");
        WindowsArgv.Split((string)data["launchParameters"]!).ShouldBe(["\"https://d111111abcdef8.cloudfront.net/InSession.html\""]);
        data["createImageCommand"].ShouldBe(
            "image-assistant.exe create-image --name splitccp-acme-ccp --display-name \"Amazon Connect split CCP\" "
            + "--description \"Amazon Connect in-session CCP (call control) with its browser policies\"");
        script.Text.ShouldContain("Write-Host ('    ' + $createImageCommand)");
        script.Tokens.ShouldNotContain(t => t.Text.Contains("create-image", StringComparison.Ordinal) && t.Kind != System.Management.Automation.Language.TokenKind.StringLiteral);
    }

    [Fact]
    public void ImageBuilderScript_ReRun_IdempotencyMarkersPresent()
    {
        var chrome = BrowserPolicyGenerator.ImageBuilderScript(s_normal, PolicyTestValues.AppStream(AgentBrowser.Chrome));
        var firefox = BrowserPolicyGenerator.ImageBuilderScript(s_normal, PolicyTestValues.AppStream(AgentBrowser.Firefox));

        chrome.ShouldContain("$Policies.DeleteSubKeyTree($Name, $false)");
        firefox.ShouldContain("[System.IO.File]::WriteAllText($policiesPath, $firefoxPolicies)");
        firefox.ShouldContain("-not [System.IO.File]::Exists($backupPath)");
        foreach (var script in new[] { chrome, firefox })
        {
            script.ShouldContain("Invoke-ImageAssistant -Arguments 'remove-application --name AmazonConnect' -AllowFailure");
            script.IndexOf("remove-application", StringComparison.Ordinal).ShouldBeLessThan(script.IndexOf("add-application --name", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(nameof(SetupValues.HostingOrigin))]
    [InlineData(nameof(SetupValues.InSessionUrl))]
    [InlineData(nameof(SetupValues.ConnectInstanceUrl))]
    public void ImageBuilderScript_MissingValue_ThrowsNamingIt(string missing)
    {
        var values = missing switch
        {
            nameof(SetupValues.HostingOrigin) => s_normal with { HostingOrigin = null },
            nameof(SetupValues.InSessionUrl) => s_normal with { InSessionUrl = null },
            _ => s_normal with { ConnectInstanceUrl = " " },
        };

        var error = Should.Throw<InvalidOperationException>(() => BrowserPolicyGenerator.ImageBuilderScript(values, PolicyTestValues.AppStream(AgentBrowser.Chrome)));

        error.Message.ShouldStartWith(missing + " is not known yet");
    }

    [Fact]
    public void ImageBuilderScript_MissingImageName_ThrowsNamingIt()
    {
        var error = Should.Throw<InvalidOperationException>(
            () => BrowserPolicyGenerator.ImageBuilderScript(s_normal, new AppStreamSpec { ImageName = null }));

        error.Message.ShouldStartWith("ImageName is not set");
    }

    [Theory]
    [InlineData("splitccp acme")]
    [InlineData("-name")]
    [InlineData("a\"b")]
    [InlineData("a';calc;'")]
    public void ImageBuilderScript_ImageNameAppStreamRefuses_ThrowsNotReady(string imageName)
    {
        var error = Should.Throw<InvalidOperationException>(
            () => BrowserPolicyGenerator.ImageBuilderScript(s_normal, new AppStreamSpec { ImageName = imageName }));

        error.Message.ShouldStartWith("ImageName: Use 1 to 100 letters");
    }

    [Theory]
    [InlineData("http://d111111abcdef8.cloudfront.net")]
    [InlineData("--disable-web-security")]
    [InlineData("https://x\0.example")]
    public void AllGenerators_UrlNotHttpsOrWithNul_Throws(string url)
    {
        var values = s_normal with { HostingOrigin = url, InSessionUrl = url + "/InSession.html", AudioOnlyUrl = url + "/AudioOnly.html" };

        Should.Throw<ArgumentException>(() => BrowserPolicyGenerator.ImageBuilderScript(values, PolicyTestValues.AppStream(AgentBrowser.Chrome)));
        Should.Throw<ArgumentException>(() => BrowserPolicyGenerator.AgentChromeRegistry(values));
        Should.Throw<ArgumentException>(() => BrowserPolicyGenerator.AgentFirefoxPolicies(values));
    }

    [Fact]
    public void AgentPolicies_MissingAudioOnlyUrl_ThrowNamingIt()
    {
        var values = s_normal with { AudioOnlyUrl = null };

        Should.Throw<InvalidOperationException>(() => BrowserPolicyGenerator.AgentChromeRegistry(values)).Message.ShouldStartWith("AudioOnlyUrl is not known yet");
        Should.Throw<InvalidOperationException>(() => BrowserPolicyGenerator.AgentFirefoxPolicies(values)).Message.ShouldStartWith("AudioOnlyUrl is not known yet");
    }

    [Fact]
    public void AgentChromeRegistry_NormalSpec_DeletesThenWritesEachListForChromeAndEdge()
    {
        var lines = BrowserPolicyGenerator.AgentChromeRegistry(s_normal).Split("\r\n");

        lines[0].ShouldBe("Windows Registry Editor Version 5.00");
        foreach (var browser in new[] { @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome", @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge" })
        {
            foreach (var policy in new[] { "AudioCaptureAllowedUrls", "AutoplayAllowlist", "PopupsAllowedForUrls" })
            {
                var delete = Array.IndexOf(lines, $@"[-{browser}\{policy}]");
                delete.ShouldBeGreaterThan(0);
                lines[delete + 1].ShouldBe("");
                lines[delete + 2].ShouldBe($@"[{browser}\{policy}]");
                lines[delete + 3].ShouldBe($"\"1\"=\"{PolicyTestValues.Origin}\"");
                lines[delete + 4].ShouldBe("");
            }
        }
    }

    [Fact]
    public void AgentChromeRegistry_Text_HasOnlyCrlfLineEndings()
    {
        var text = BrowserPolicyGenerator.AgentChromeRegistry(s_normal);

        text.Replace("\r\n", "", StringComparison.Ordinal).ShouldNotContain('\n');
        text.Replace("\r\n", "", StringComparison.Ordinal).ShouldNotContain('\r');
        text.ShouldEndWith("\r\n");
    }

    [Fact]
    public void RegistryFileEncoding_WritesUtf16LittleEndianWithBom()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "Windows", BrowserPolicyGenerator.RegistryFileEncoding);

            File.ReadAllBytes(path).ShouldBe(new byte[] { 0xFF, 0xFE, (byte)'W', 0, (byte)'i', 0, (byte)'n', 0, (byte)'d', 0, (byte)'o', 0, (byte)'w', 0, (byte)'s', 0 });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AgentFirefoxPolicies_NormalSpec_AllowsTheAudioOnlyOriginUnlocked()
    {
        using var document = JsonDocument.Parse(BrowserPolicyGenerator.AgentFirefoxPolicies(s_normal));
        var policies = document.RootElement.GetProperty("policies");

        foreach (var policy in new[] { policies.GetProperty("Permissions").GetProperty("Microphone"), policies.GetProperty("Permissions").GetProperty("Autoplay"), policies.GetProperty("PopupBlocking") })
        {
            Strings(policy.GetProperty("Allow")).ShouldBe([PolicyTestValues.Origin]);
            policy.GetProperty("Locked").GetBoolean().ShouldBeFalse();
        }
    }

    [Fact]
    public void FirefoxLocalMediaWarning_SaysWhyAndWhatToUseInstead()
    {
        BrowserPolicyGenerator.FirefoxLocalMediaWarning.ShouldContain("microphone only while that tab has focus");
        BrowserPolicyGenerator.FirefoxLocalMediaWarning.ShouldContain("Use Chrome or Edge on the agent's PC");
    }

    internal static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
