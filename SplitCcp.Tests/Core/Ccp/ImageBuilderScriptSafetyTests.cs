using System.Management.Automation.Language;
using System.Text;
using System.Text.Json;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Ccp;

/// <summary>
/// Proof, with the real PowerShell parser, that tenant values stay data in the image-builder script: a hostile value
/// changes nothing but the content of single-quoted literals in the values block, and each literal evaluates back to the
/// exact value.
/// </summary>
public sealed class ImageBuilderScriptSafetyTests
{
    public static TheoryData<string> Payloads => PolicyTestValues.Payloads;

    [Theory]
    [MemberData(nameof(Payloads))]
    public void ImageBuilderScript_HostilePayload_HasTheSameTokensAsABenignValueOfItsKind(string payload)
    {
        // A printable-ASCII payload is compared with a plain word, anything else with a word that also needs base64.
        var benign = PolicyTestValues.IsPrintableAscii(payload) ? "benign" : "b\u00e9nign";
        foreach (var browser in new[] { AgentBrowser.Chrome, AgentBrowser.Firefox })
        {
            var hostile = PowerShellScript.Parse(Script(PolicyTestValues.Hostile(payload), browser));
            var reference = PowerShellScript.Parse(Script(PolicyTestValues.Hostile(benign), browser));

            hostile.Shape.ShouldBe(reference.Shape);
        }
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void ImageBuilderScript_HostilePayload_EvaluatesBackToTheExactValues(string payload)
    {
        var values = PolicyTestValues.Hostile(payload);
        var origin = values.HostingOrigin!;
        var inSessionOrigin = PolicyTestValues.OriginOf(values.InSessionUrl!);
        var chrome = PowerShellScript.Parse(Script(values, AgentBrowser.Chrome)).EvaluateData();
        var firefox = PowerShellScript.Parse(Script(values, AgentBrowser.Firefox)).EvaluateData();

        chrome["inSessionUrl"].ShouldBe(values.InSessionUrl);
        chrome["popupsAllowedForUrls"].ShouldBe(new[] { inSessionOrigin });
        chrome["cookiesAllowedForUrls"].ShouldBe(new[] { origin, values.ConnectInstanceUrl });
        chrome["javaScriptAllowedForUrls"].ShouldBe(new[] { origin, values.ConnectInstanceUrl });
        chrome["notificationsAllowedForUrls"].ShouldBe(new[] { origin });
        firefox["inSessionUrl"].ShouldBe(values.InSessionUrl);

        using var json = JsonDocument.Parse((string)firefox["firefoxPolicies"]!);
        var policies = json.RootElement.GetProperty("policies");
        BrowserPolicyGeneratorTests.Strings(policies.GetProperty("PopupBlocking").GetProperty("Allow")).ShouldBe([inSessionOrigin]);
        BrowserPolicyGeneratorTests.Strings(policies.GetProperty("Cookies").GetProperty("Allow")).ShouldBe([origin, values.ConnectInstanceUrl!]);
        BrowserPolicyGeneratorTests.Strings(policies.GetProperty("Permissions").GetProperty("Notifications").GetProperty("Allow")).ShouldBe([origin]);
        policies.EnumerateObject().Select(p => p.Name).ShouldBe(["DontCheckDefaultBrowser", "PopupBlocking", "Cookies", "Permissions"]);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void ImageBuilderScript_HostilePayload_LaunchParametersReachTheBrowserAsOneExactArgument(string payload)
    {
        var values = PolicyTestValues.Hostile(payload);
        var launchParameters = (string)PowerShellScript.Parse(Script(values, AgentBrowser.Chrome)).EvaluateData()["launchParameters"]!;

        // Image Assistant splits its command line once; the browser splits what it stored once more.
        var forImageAssistant = WindowsArgv.Split("add-application --launch-parameters " + launchParameters);
        forImageAssistant.Count.ShouldBe(3);
        WindowsArgv.Split(forImageAssistant[2]).ShouldBe([values.InSessionUrl!]);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void ImageBuilderScript_HostilePayload_IsAsciiWithCrlfLines(string payload)
    {
        foreach (var browser in new[] { AgentBrowser.Chrome, AgentBrowser.Firefox })
        {
            var script = Script(PolicyTestValues.Hostile(payload), browser);

            script.ShouldAllBe(c => c == '\r' || c == '\n' || (c >= ' ' && c <= '~'));
            script.Replace("\r\n", "", StringComparison.Ordinal).ShouldNotContain('\n');
            script.Replace("\r\n", "", StringComparison.Ordinal).ShouldNotContain('\r');
        }
    }

    [Theory]
    [InlineData(AgentBrowser.Chrome)]
    [InlineData(AgentBrowser.Firefox)]
    public void ImageBuilderScript_AnyBrowser_RunsOnlyKnownCommandsAndNoDynamicCode(AgentBrowser browser)
    {
        var script = PowerShellScript.Parse(Script(PolicyTestValues.Hostile("$(calc)'\"`"), browser));
        var commands = script.Ast.FindAll(a => a is CommandAst, searchNestedScriptBlocks: true).Cast<CommandAst>().ToList();

        commands.ShouldAllBe(c => c.InvocationOperator == TokenKind.Unknown);
        commands.Select(c => c.GetCommandName()).Distinct().ShouldBeSubsetOf(
            ["Set-StrictMode", "Find-Browser", "Invoke-ImageAssistant", "Set-ChromeUrlList", "ConvertFrom-Json", "Write-Host", "Write-Warning"]);
        script.Ast.FindAll(a => a is ExpandableStringExpressionAst, searchNestedScriptBlocks: true).ShouldBeEmpty();
        script.Tokens.ShouldNotContain(t => t.Kind == TokenKind.HereStringLiteral || t.Kind == TokenKind.HereStringExpandable);
    }

    [Theory]
    [InlineData(AgentBrowser.Chrome)]
    [InlineData(AgentBrowser.Firefox)]
    public void ImageBuilderScript_AnyBrowser_UsesNoSyntaxNewerThanWindowsPowerShell51(AgentBrowser browser)
    {
        var script = PowerShellScript.Parse(Script(PolicyTestValues.Normal, browser));

        // Tokens PowerShell 7 added: ?? ??= ?. ?[ && || and the ternary ?.
        script.Tokens.Select(t => t.Kind).ShouldNotContain(k =>
            k == TokenKind.QuestionQuestion || k == TokenKind.QuestionQuestionEquals || k == TokenKind.QuestionDot
            || k == TokenKind.QuestionLBracket || k == TokenKind.AndAnd || k == TokenKind.OrOr || k == TokenKind.QuestionMark);
        script.Ast.FindAll(a => a is PipelineChainAst or TernaryExpressionAst, searchNestedScriptBlocks: true).ShouldBeEmpty();
    }

    /// <summary>
    /// Why non-ASCII values go through base64: Windows PowerShell 5.1 reads a script without a byte-order mark as
    /// Windows-1252, where the UTF-8 bytes of U+0111 (C4 91) read as "Ä‘", and PowerShell ends single-quoted strings
    /// at that curly quote. A naive literal then lets the rest of the value run as code.
    /// </summary>
    [Fact]
    public void NaiveLiteral_ReadAsWindows1252_WouldRunTheValueAsCode()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        const string value = "https://x\u0111; Remove-Item C:\\ -Recurse; \u0111.example";
        var naive = "$origin = '" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
        var generated = "$origin = " + BrowserPolicyGenerator_Literal(value);

        CommandsIn(Encoding.GetEncoding(1252).GetString(Encoding.UTF8.GetBytes(naive))).ShouldContain("Remove-Item");
        CommandsIn(Encoding.GetEncoding(1252).GetString(Encoding.UTF8.GetBytes(generated))).ShouldBeEmpty();
    }

    private static string BrowserPolicyGenerator_Literal(string value) =>
        PowerShellScript.Parse(Script(PolicyTestValues.Hostile(value[8..^8]), AgentBrowser.Chrome))
            .DataAssignments["notificationsAllowedForUrls"][2..^1];

    private static List<string?> CommandsIn(string script) =>
        [.. Parser.ParseInput(script, out _, out _).FindAll(a => a is CommandAst, true).Cast<CommandAst>().Select(c => c.GetCommandName())];

    private static string Script(SetupValues values, AgentBrowser browser) =>
        BrowserPolicyGenerator.ImageBuilderScript(values, PolicyTestValues.AppStream(browser));
}
