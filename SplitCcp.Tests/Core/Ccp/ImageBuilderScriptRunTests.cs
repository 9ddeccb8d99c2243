using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Ccp;

/// <summary>
/// Runs the real Firefox image-builder script in PowerShell 7.6 (in process) against a temporary Program Files and a
/// fake Image Assistant that records the arguments it receives. .NET on Linux splits ProcessStartInfo.Arguments with
/// the Windows rules, so the fake sees what image-assistant.exe would. The Chrome branch writes the Windows registry
/// and cannot run here; the parser tests cover it.
/// </summary>
public sealed class ImageBuilderScriptRunTests : IDisposable
{
    private const string RealImageAssistant = "$imageAssistant = 'C:\\Program Files\\Amazon\\Photon\\ConsoleImageBuilder\\image-assistant.exe'";

    /// <summary>The Windows PowerShell cmdlets the bare engine lacks (they live in modules not on NuGet), as stand-ins.</summary>
    private const string StandIns = """
        $global:hostLines = [System.Collections.Generic.List[string]]::new()
        function Write-Host([Parameter(Position = 0)] [object] $Object) { $global:hostLines.Add([string] $Object) }
        function Write-Warning([Parameter(Position = 0)] [string] $Message) { $global:hostLines.Add('WARNING: ' + $Message) }
        function ConvertFrom-Json([Parameter(ValueFromPipeline = $true)] [string] $InputObject) {
            process {
                $properties = [ordered] @{}
                foreach ($property in [System.Text.Json.JsonDocument]::Parse($InputObject).RootElement.EnumerateObject()) {
                    if ($property.Value.ValueKind -eq 'Number') { $properties[$property.Name] = $property.Value.GetInt32() }
                    else { $properties[$property.Name] = $property.Value.GetString() }
                }
                [pscustomobject] $properties
            }
        }

        """;

    private const string FakeImageAssistant = """
        #!/bin/sh
        here=$(dirname "$0")
        mkdir -p "$here/calls"
        call="$here/calls/$(ls "$here/calls" | wc -l)"
        for argument in "$@"; do printf '%s\0' "$argument"; done > "$call"
        if [ "$1" = remove-application ]; then printf '{"status": 1, "message": "Application not found"}\n'; exit 1; fi
        if [ -e "$here/fail-add" ]; then printf '{"status": 2, "message": "Invalid launch parameters"}\n'; exit 0; fi
        printf '{"status": 0, "message": "Success"}\n'
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("splitccp-script-").FullName;
    private readonly string _firefox;
    private readonly string _imageAssistant;
    private readonly string _policiesPath;

    public ImageBuilderScriptRunTests()
    {
        var firefoxFolder = Directory.CreateDirectory(Path.Combine(_root, "Program Files", "Mozilla Firefox")).FullName;
        _firefox = Path.Combine(firefoxFolder, "firefox.exe");
        File.WriteAllText(_firefox, "");
        _policiesPath = Path.Combine(firefoxFolder, "distribution", "policies.json");
        _imageAssistant = Path.Combine(_root, "image-assistant");
        File.WriteAllText(_imageAssistant, FakeImageAssistant.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_imageAssistant, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [UnixFact]
    public void Firefox_NormalSpec_WritesPoliciesRegistersFirefoxAndPrintsCreateImage()
    {
        var output = Run(PolicyTestValues.Normal);

        Calls().ShouldBe([
            ["remove-application", "--name", "AmazonConnect"],
            ["add-application", "--name", "AmazonConnect", "--absolute-app-path", _firefox, "--display-name", "Amazon Connect",
                "--launch-parameters", "\"https://d111111abcdef8.cloudfront.net/InSession.html\""],
        ]);
        using var policies = JsonDocument.Parse(File.ReadAllText(_policiesPath));
        BrowserPolicyGeneratorTests.Strings(policies.RootElement.GetProperty("policies").GetProperty("Cookies").GetProperty("Allow"))
            .ShouldBe([PolicyTestValues.Origin, PolicyTestValues.ConnectUrl]);
        File.ReadAllBytes(_policiesPath)[0].ShouldBe((byte)'{');
        output.ShouldContain("    image-assistant.exe create-image --name splitccp-acme-ccp --display-name \"Amazon Connect split CCP\" "
            + "--description \"Amazon Connect in-session CCP (call control) with its browser policies\"");
        output.ShouldNotContain(line => line.StartsWith("WARNING", StringComparison.Ordinal));
    }

    [UnixTheory]
    [InlineData("'; Remove-Item C:\\ -Recurse; '")]
    [InlineData("\"$(calc)`\\")]
    [InlineData("\r\n'@\r\nRemove-Item C:\\ -Recurse\r\n@'")]
    [InlineData("\u2019; Remove-Item C:\\ -Recurse; \u0111")]
    public void Firefox_HostilePayload_ReachesFirefoxAndPoliciesAsExactData(string payload)
    {
        var values = PolicyTestValues.Hostile(payload);

        Run(values);

        var add = Calls()[1];
        add[7].ShouldBe("--launch-parameters");
        WindowsArgv.Split(add[8]).ShouldBe([values.InSessionUrl!]);
        add.Count.ShouldBe(9);
        using var policies = JsonDocument.Parse(File.ReadAllText(_policiesPath));
        var root = policies.RootElement.GetProperty("policies");
        BrowserPolicyGeneratorTests.Strings(root.GetProperty("Cookies").GetProperty("Allow")).ShouldBe([values.HostingOrigin!, values.ConnectInstanceUrl!]);
        BrowserPolicyGeneratorTests.Strings(root.GetProperty("PopupBlocking").GetProperty("Allow")).ShouldBe([PolicyTestValues.OriginOf(values.InSessionUrl!)]);
    }

    [UnixFact]
    public void Firefox_RunTwice_SecondRunReplacesTheSameFilesWithoutBackup()
    {
        Run(PolicyTestValues.Normal);
        var first = File.ReadAllText(_policiesPath);

        var output = Run(PolicyTestValues.Normal);

        File.ReadAllText(_policiesPath).ShouldBe(first);
        File.Exists(_policiesPath + ".before-splitccp").ShouldBeFalse();
        output.ShouldNotContain(line => line.StartsWith("WARNING", StringComparison.Ordinal));
        Calls().Select(c => c[0]).ShouldBe(["remove-application", "add-application", "remove-application", "add-application"]);
    }

    [UnixFact]
    public void Firefox_ExistingPoliciesFile_IsBackedUpOnceThenReplaced()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_policiesPath)!);
        File.WriteAllText(_policiesPath, "{\"policies\":{\"DisableTelemetry\":true}}");

        var output = Run(PolicyTestValues.Normal);
        Run(PolicyTestValues.Normal with { ConnectInstanceUrl = "https://other.my.connect.aws" });

        File.ReadAllText(_policiesPath + ".before-splitccp").ShouldBe("{\"policies\":{\"DisableTelemetry\":true}}");
        File.ReadAllText(_policiesPath).ShouldContain("https://other.my.connect.aws");
        output.ShouldContain(line => line.StartsWith("WARNING: Replacing ", StringComparison.Ordinal));
    }

    [UnixFact]
    public void Firefox_ImageAssistantReportsFailure_ScriptStopsWithItsMessage()
    {
        File.WriteAllText(Path.Combine(_root, "fail-add"), "");

        var error = Should.Throw<RuntimeException>(() => Run(PolicyTestValues.Normal));

        error.Message.ShouldStartWith("image-assistant.exe add-application --name AmazonConnect");
        error.Message.ShouldEndWith("failed (exit code 0): Invalid launch parameters");
    }

    [UnixFact]
    public void Firefox_NotOnAnImageBuilder_StopsBeforeWritingAnything()
    {
        File.Delete(_imageAssistant);

        Should.Throw<RuntimeException>(() => Run(PolicyTestValues.Normal)).Message.ShouldStartWith("Image Assistant is not at ");

        File.Exists(_policiesPath).ShouldBeFalse();
    }

    [UnixFact]
    public void Firefox_NoFirefoxInstalled_StopsWithInstructions()
    {
        File.Delete(_firefox);

        Should.Throw<RuntimeException>(() => Run(PolicyTestValues.Normal))
            .Message.ShouldBe("Cannot find firefox.exe under Program Files or Program Files (x86). Install the browser, then run this script again.");
    }

    private List<string> Run(SetupValues values)
    {
        var script = BrowserPolicyGenerator.ImageBuilderScript(values, PolicyTestValues.AppStream(AgentBrowser.Firefox));
        script.Split(RealImageAssistant).Length.ShouldBe(2);
        script = script.Replace(RealImageAssistant, $"$imageAssistant = '{_imageAssistant}'", StringComparison.Ordinal);

        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var shell = PowerShell.Create(runspace);
        shell.AddScript(StandIns + $"$env:ProgramFiles = '{Path.Combine(_root, "Program Files")}'\n" + "${env:ProgramFiles(x86)} = $null\n" + script);
        try
        {
            shell.Invoke();
            shell.HadErrors.ShouldBeFalse(string.Join("\n", shell.Streams.Error));
            return [.. ((System.Collections.Generic.List<string>)runspace.SessionStateProxy.GetVariable("hostLines"))];
        }
        finally
        {
            Environment.SetEnvironmentVariable("ProgramFiles", null);
        }
    }

    private List<List<string>> Calls() =>
        [.. Directory.GetFiles(Path.Combine(_root, "calls"))
            .OrderBy(f => int.Parse(Path.GetFileName(f), System.Globalization.CultureInfo.InvariantCulture))
            .Select(f => File.ReadAllText(f).TrimEnd('\0').Split('\0').ToList())];
}

/// <summary>The fake Image Assistant is a POSIX shell script; on Windows these tests are reported as skipped.</summary>
internal sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Needs a POSIX shell for the fake Image Assistant.";
        }
    }
}

internal sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Needs a POSIX shell for the fake Image Assistant.";
        }
    }
}
