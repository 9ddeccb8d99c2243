using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Ccp;

public sealed class CcpPageGeneratorTests
{
    /// <summary>What a hostile or broken value would try: close the script, add markup, break JS string literals.</summary>
    internal const string Payload = "\"';</script><img src=x onerror=alert(1)><!--\u2028\u2029é+&";

    internal static readonly SetupValues HostileValues = CcpPageParts.Values(
        ccpUrl: "https://northwind.my.connect.aws/ccp-v2/?x=" + Payload,
        loginUrl: "https://d-9067a1b2c3.awsapps.com/start/#" + Payload,
        instanceUrl: "https://northwind.my.connect.aws/\"><script>alert(1)</script>",
        region: "javascript:alert(1)//" + Payload);

    private static readonly JsonSerializerOptions s_defaultEncoder = new() { Encoder = JavaScriptEncoder.Default };

    private readonly CcpPageGenerator _generator = new();

    public static TheoryData<string> PageKinds => ["AudioOnly", "InSession"];

    public static TheoryData<string> MissingValues =>
        [nameof(SetupValues.CcpUrl), nameof(SetupValues.ConnectInstanceUrl), nameof(SetupValues.LoginUrl)];

    public static TheoryData<string, string> NotHttps => new()
    {
        { nameof(SetupValues.LoginUrl), "http://d-9067a1b2c3.awsapps.com/start" },
        { nameof(SetupValues.LoginUrl), "javascript:alert(1)" },
        { nameof(SetupValues.LoginUrl), "JavaScript:alert(1)//https://x" },
        { nameof(SetupValues.LoginUrl), "//d-9067a1b2c3.awsapps.com/start" },
        { nameof(SetupValues.LoginUrl), " https://d-9067a1b2c3.awsapps.com/start" },
        { nameof(SetupValues.LoginUrl), "data:text/html,<script>alert(1)</script>" },
        { nameof(SetupValues.LoginUrl), "https://user:pass@d-9067a1b2c3.awsapps.com/start" },
        { nameof(SetupValues.CcpUrl), "http://northwind.my.connect.aws/ccp-v2/" },
        { nameof(SetupValues.CcpUrl), "javascript:alert(1)" },
        { nameof(SetupValues.CcpUrl), "/ccp-v2/" },
        { nameof(SetupValues.ConnectInstanceUrl), "http://northwind.my.connect.aws" },
        { nameof(SetupValues.ConnectInstanceUrl), "javascript:alert(1)" },
    };

    public static TheoryData<string> HostileInstanceHosts =>
    [
        "https://northwind.my.connect.aws;script-src *",
        "https://northwind.my.connect.aws\"><script>alert(1)</script>",
        "https://127.0.0.1",
        "https://localhost",
        "https://[::1]",
    ];

    private string Generate(string kind, SetupValues values, CcpPagesSpec? pages = null) => kind switch
    {
        "AudioOnly" => _generator.AudioOnlyPage(values, pages ?? new CcpPagesSpec()),
        "InSession" => _generator.InSessionPage(values, pages ?? new CcpPagesSpec()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(PageKinds))]
    public void Page_SampleTenant_MatchesGoldenFile(string kind) =>
        Golden.Match($"{kind}.html", Generate(kind, CcpPageParts.Values()));

    [Fact]
    public void Pages_BothKinds_ShareOneLoaderOneStyleAndItsHashes()
    {
        var audio = CcpPageParts.Of(_generator.AudioOnlyPage(CcpPageParts.Values(), new CcpPagesSpec()));
        var session = CcpPageParts.Of(_generator.InSessionPage(CcpPageParts.Values(), new CcpPagesSpec()));

        audio.Loader.ShouldBe(session.Loader);
        audio.Loader.ShouldBe(_generator.LoaderScript);
        audio.Style.ShouldBe(session.Style);
        audio.Csp.ShouldBe(audio.ExpectedCsp("https://northwind.my.connect.aws"));
        session.Csp.ShouldBe(audio.Csp);
        _generator.ContentSecurityPolicy(CcpPageParts.Values()).ShouldBe(audio.Csp);
    }

    [Fact]
    public async Task AddSplitCcpCore_RegistersTheGeneratorAndTheAssetOnce()
    {
        await using var host = await CoreTestHost.StartAsync();

        host.Services.GetRequiredService<CcpPageGenerator>().ShouldBeSameAs(host.Services.GetRequiredService<CcpPageGenerator>());
        host.Services.GetRequiredService<ConnectStreamsAsset>().ShouldBeSameAs(ConnectStreamsAsset.Instance);
    }

    [Fact]
    public void LoaderScript_NeverStartsASoftphoneManagerOrWritesMarkup()
    {
        _generator.LoaderScript.ShouldNotContain("initSoftphoneManager");
        _generator.LoaderScript.ShouldNotContain("innerHTML ="); // "never innerHTML" in its comment is fine; an assignment is not
        _generator.LoaderScript.ShouldNotContain("insertAdjacentHTML");
        _generator.LoaderScript.ShouldNotContain("document.write");
        _generator.LoaderScript.ShouldNotContain("eval(");
    }

    [Fact]
    public void LoaderScript_HoldsNoTenantValue()
    {
        var values = CcpPageParts.Values();
        foreach (var value in new[] { values.CcpUrl!, values.LoginUrl!, values.ConnectInstanceUrl!, values.Region, "northwind", "awsapps" })
        {
            _generator.LoaderScript.ShouldNotContain(value);
        }
    }

    [Theory]
    [MemberData(nameof(PageKinds))]
    public void Page_Scripts_AreTheConfigTheLibraryFromItsOwnFolderAndTheLoader(string kind)
    {
        var parts = CcpPageParts.Of(Generate(kind, CcpPageParts.Values()));

        parts.ScriptTagCount.ShouldBe(3);
        parts.Html.ShouldContain("<script src=\"./connect-streams.js\"></script>");
        parts.Html.ShouldNotContain("jquery", Case.Insensitive);
        parts.Html.ShouldNotContain("cdn", Case.Insensitive);
        parts.Html.ShouldNotContain("<link", Case.Insensitive);
        parts.Html.ShouldNotContain("@import", Case.Insensitive);
        parts.Html.ShouldNotContain(" style=", Case.Insensitive);
        Regex.IsMatch(parts.Html, @"<[^>]*\son[a-z]+\s*=", RegexOptions.IgnoreCase).ShouldBeFalse("no inline event handler attributes");
        parts.Html.ShouldStartWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        parts.Html.ShouldContain("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        parts.Html.ShouldContain("<h1>");
        parts.Html.ShouldNotContain("\r");
    }

    [Fact]
    public void AudioOnlyPage_Options_FollowTheSpec()
    {
        var pages = new CcpPagesSpec
        {
            HideAudioOnlyControls = false,
            Ringtone = false,
            EchoCancellation = false,
            LoginPopupAutoClose = false,
            CcpAckTimeoutMs = 3100,
            CcpSynTimeoutMs = 1100,
            CcpLoadTimeoutMs = 5100,
        };

        var config = CcpPageParts.Of(_generator.AudioOnlyPage(CcpPageParts.Values(), pages)).Config;

        ShouldBeJson(config, """
            {
              "page": "audio-only",
              "hideControls": false,
              "initCcp": {
                "ccpUrl": "https://northwind.my.connect.aws/ccp-v2/",
                "loginPopup": true,
                "loginPopupAutoClose": false,
                "loginUrl": "https://d-9067a1b2c3.awsapps.com/start/#/saml/custom/Northwind%20CCP/MTIzNDU2Nzg5MDEy",
                "region": "eu-west-2",
                "softphone": { "allowFramedSoftphone": true, "disableRingtone": true, "disableEchoCancellation": true },
                "pageOptions": { "enableAudioDeviceSettings": true, "enablePhoneTypeSettings": false },
                "ccpAckTimeout": 3100,
                "ccpSynTimeout": 1100,
                "ccpLoadTimeout": 5100
              }
            }
            """);
    }

    [Fact]
    public void InSessionPage_Options_KeepTheSoftphoneOutOfTheSession()
    {
        var pages = new CcpPagesSpec { Ringtone = true, EchoCancellation = true, HideAudioOnlyControls = true };

        var config = CcpPageParts.Of(_generator.InSessionPage(CcpPageParts.Values(), pages)).Config;

        config["page"]!.GetValue<string>().ShouldBe("in-session");
        config["hideControls"]!.GetValue<bool>().ShouldBeFalse();
        ShouldBeJson(config["initCcp"]!["softphone"]!, """{ "allowFramedSoftphone": false, "disableRingtone": true }""");
        ShouldBeJson(config["initCcp"]!["pageOptions"]!, """{ "enableAudioDeviceSettings": false, "enablePhoneTypeSettings": true }""");
    }

    [Fact]
    public void AudioOnlyPage_SelfTest_IsStaticMarkupWithNoTenantValueThatOnlyTheAudioPageHas()
    {
        static string SelfTest(string html)
        {
            var start = html.IndexOf("<section id=\"self-test\"", StringComparison.Ordinal);
            start.ShouldBeGreaterThan(0);
            return html[start..(html.IndexOf("</section>", start, StringComparison.Ordinal) + "</section>".Length)];
        }

        var hostile = CcpPageParts.Of(_generator.AudioOnlyPage(HostileValues, new CcpPagesSpec()));
        var section = SelfTest(hostile.Html);

        section.ShouldBe(SelfTest(_generator.AudioOnlyPage(CcpPageParts.Values(), new CcpPagesSpec())), "the self-test's markup is the same whatever the tenant");
        section.ShouldContain("<button type=\"button\" id=\"self-test-run\">Run the self-test</button>");
        foreach (var id in new[] { "self-test-microphone", "self-test-autoplay", "self-test-ccp", "self-test-sign-in", "self-test-code" })
        {
            section.ShouldContain($"<li id=\"{id}\"");
        }

        hostile.Loader.ShouldBe(_generator.LoaderScript, "the self-test's script is the shared loader, hashed in the policy");
        _generator.InSessionPage(CcpPageParts.Values(), new CcpPagesSpec()).ShouldNotContain("id=\"self-test");
    }

    [Fact]
    public void InSessionPage_Text_SendsTheAgentToTheAudioPageAndWarnsAboutCcpV2()
    {
        var html = _generator.InSessionPage(CcpPageParts.Values(), new CcpPagesSpec());

        html.ShouldContain("Call audio plays on your own PC, in the <strong>Call audio</strong> page (AudioOnly.html)");
        html.ShouldContain("Do not open the standard Amazon Connect contact control panel (ccp-v2) in this session.");
        html.ShouldNotContain("id=\"status-microphone\"");
        html.ShouldNotContain("id=\"status-call-audio\"");
        html.ShouldNotContain("id=\"ccp-toggle\"");
    }

    [Theory]
    [MemberData(nameof(PageKinds))]
    public void Page_HostileValues_StayDataInsideTheJsonBlock(string kind)
    {
        var parts = CcpPageParts.Of(Generate(kind, HostileValues));

        parts.ScriptTagCount.ShouldBe(3);
        parts.ConfigJson.ShouldNotContain("</script", Case.Insensitive);
        parts.ConfigJson.ShouldNotContain("<img", Case.Insensitive);
        parts.ConfigJson.ShouldNotContain("<!--");
        parts.ConfigJson.ShouldNotContain("<");
        parts.ConfigJson.ShouldNotContain("\u2028");
        parts.ConfigJson.ShouldNotContain("\u2029");
        parts.ConfigJson.ShouldAllBe(c => c < 0x7F);
        foreach (var character in new[] { ">", "&", "'", "+" })
        {
            parts.ConfigJson.ShouldNotContain(character);
        }

        parts.ConfigJson.ShouldContain("\\u003C/script\\u003E\\u003Cimg src=x onerror=alert(1)\\u003E\\u003C!--\\u2028\\u2029\\u00E9\\u002B\\u0026");

        var options = parts.InitCcpOptions;
        options["ccpUrl"]!.GetValue<string>().ShouldBe(HostileValues.CcpUrl);
        options["loginUrl"]!.GetValue<string>().ShouldBe(HostileValues.LoginUrl);
        options["region"]!.GetValue<string>().ShouldBe(HostileValues.Region);

        // The instance URL reaches the page only as the origin in frame-src; its hostile path is dropped.
        parts.Csp.ShouldBe(parts.ExpectedCsp("https://northwind.my.connect.aws"));
        parts.Loader.ShouldBe(_generator.LoaderScript);
        parts.HtmlWithoutConfig.ShouldNotContain("alert");
        parts.HtmlWithoutConfig.ShouldNotContain("<img");
        parts.HtmlWithoutConfig.ShouldNotContain("javascript:");
    }

    [Fact]
    public void JsonEncoder_EscapesEveryCharacterThatCouldLeaveTheBlock()
    {
        var json = JsonSerializer.Serialize("<>&'\"+\u2028\u2029é\u0000/", s_defaultEncoder);

        json.ShouldBe("\"\\u003C\\u003E\\u0026\\u0027\\u0022\\u002B\\u2028\\u2029\\u00E9\\u0000/\"");
    }

    [Theory]
    [MemberData(nameof(MissingValues))]
    public void Pages_MissingValue_ThrowNamingIt(string missing)
    {
        var values = CcpPageParts.Values() with
        {
            CcpUrl = missing == nameof(SetupValues.CcpUrl) ? null : CcpPageParts.Values().CcpUrl,
            ConnectInstanceUrl = missing == nameof(SetupValues.ConnectInstanceUrl) ? null : CcpPageParts.Values().ConnectInstanceUrl,
            LoginUrl = missing == nameof(SetupValues.LoginUrl) ? null : CcpPageParts.Values().LoginUrl,
        };

        Should.Throw<InvalidOperationException>(() => _generator.AudioOnlyPage(values, new CcpPagesSpec()))
            .Message.ShouldBe($"SetupValues.{missing} is not known yet: the CCP pages cannot be generated without it.");
        Should.Throw<InvalidOperationException>(() => _generator.InSessionPage(values, new CcpPagesSpec()))
            .Message.ShouldContain($"SetupValues.{missing} ");
    }

    [Theory]
    [MemberData(nameof(NotHttps))]
    public void Pages_UrlNotHttps_Refused(string name, string url)
    {
        var values = name switch
        {
            nameof(SetupValues.LoginUrl) => CcpPageParts.Values(loginUrl: url),
            nameof(SetupValues.CcpUrl) => CcpPageParts.Values(ccpUrl: url),
            _ => CcpPageParts.Values(instanceUrl: url),
        };

        Should.Throw<InvalidOperationException>(() => _generator.AudioOnlyPage(values, new CcpPagesSpec()))
            .Message.ShouldBe($"SetupValues.{name} must be an https:// URL; it is not put in a CCP page.");
        Should.Throw<InvalidOperationException>(() => _generator.InSessionPage(values, new CcpPagesSpec()))
            .Message.ShouldBe($"SetupValues.{name} must be an https:// URL; it is not put in a CCP page.");
    }

    [Theory]
    [MemberData(nameof(HostileInstanceHosts))]
    public void Pages_InstanceHostNotADnsName_Refused(string instanceUrl)
    {
        var values = CcpPageParts.Values(instanceUrl: instanceUrl);

        Should.Throw<InvalidOperationException>(() => _generator.AudioOnlyPage(values, new CcpPagesSpec()))
            .Message.ShouldStartWith("SetupValues.ConnectInstanceUrl must ");
    }

    [Fact]
    public void Pages_CcpOnAnotherOrigin_Refused()
    {
        var values = CcpPageParts.Values(ccpUrl: "https://evil.example/ccp-v2/");

        Should.Throw<InvalidOperationException>(() => _generator.AudioOnlyPage(values, new CcpPagesSpec()))
            .Message.ShouldBe("SetupValues.CcpUrl must be on the Connect instance's origin (https://northwind.my.connect.aws): the pages' policy lets them frame only that origin.");
    }

    [Fact]
    public void ContentSecurityPolicy_InstanceWithPortAndUpperCase_FramesItsNormalisedOrigin()
    {
        var values = CcpPageParts.Values(instanceUrl: "https://NorthWind.My.Connect.AWS:8443", ccpUrl: "https://northwind.my.connect.aws:8443/ccp-v2/");

        _generator.ContentSecurityPolicy(values).ShouldContain("; frame-src https://northwind.my.connect.aws:8443; ");
    }

    [Fact]
    public void ContentSecurityPolicy_InternationalisedHost_UsesPunycode()
    {
        var values = CcpPageParts.Values(instanceUrl: "https://bücher.my.connect.aws", ccpUrl: "https://bücher.my.connect.aws/ccp-v2/");

        _generator.ContentSecurityPolicy(values).ShouldContain("; frame-src https://xn--bcher-kva.my.connect.aws; ");
    }

    private static void ShouldBeJson(JsonNode actual, string expected) =>
        JsonNode.DeepEquals(actual, JsonNode.Parse(expected)).ShouldBeTrue($"expected {expected}\nbut got {actual.ToJsonString()}");
}
