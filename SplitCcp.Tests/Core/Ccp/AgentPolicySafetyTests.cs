using System.Text.Json;
using System.Text.RegularExpressions;
using SplitCcp.Core.Ccp;

namespace SplitCcp.Tests.Core.Ccp;

/// <summary>Hostile values in the agent-PC files: the .reg keeps them inside its value strings (or refuses them), the
/// JSON keeps them inside its string values.</summary>
public sealed partial class AgentPolicySafetyTests
{
    public static TheoryData<string> Payloads => PolicyTestValues.Payloads;

    [Theory]
    [MemberData(nameof(Payloads))]
    public void AgentChromeRegistry_HostilePayload_StaysInsideValueStringsOrIsRefused(string payload)
    {
        var values = PolicyTestValues.Hostile(payload);
        if (payload.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
        {
            Should.Throw<ArgumentException>(() => BrowserPolicyGenerator.AgentChromeRegistry(values))
                .Message.ShouldStartWith("A .reg file cannot carry line breaks or other control characters");
            return;
        }

        var expected = BrowserPolicyGenerator.AgentChromeRegistry(PolicyTestValues.Normal).Split("\r\n");
        var actual = BrowserPolicyGenerator.AgentChromeRegistry(values).Split("\r\n");

        // Same lines as the normal file, except that each value line holds the hostile origin, escaped.
        actual.Length.ShouldBe(expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i].StartsWith("\"1\"=", StringComparison.Ordinal))
            {
                var match = ValueLine().Match(actual[i]);
                match.Success.ShouldBeTrue(actual[i]);
                RegUnescape(match.Groups["data"].Value).ShouldBe(PolicyTestValues.OriginOf(values.AudioOnlyUrl!));
            }
            else
            {
                actual[i].ShouldBe(expected[i]);
            }
        }
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\u2028")]
    [InlineData("\0")]
    public void AgentChromeRegistry_LineBreakOrNul_Throws(string character)
    {
        var values = PolicyTestValues.Normal with { AudioOnlyUrl = $"https://x{character}.example/AudioOnly.html" };

        Should.Throw<ArgumentException>(() => BrowserPolicyGenerator.AgentChromeRegistry(values));
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void AgentFirefoxPolicies_HostilePayload_RoundTripsAsTheSameValuesAndStructure(string payload)
    {
        var values = PolicyTestValues.Hostile(payload);
        var origin = PolicyTestValues.OriginOf(values.AudioOnlyUrl!);

        using var actual = JsonDocument.Parse(BrowserPolicyGenerator.AgentFirefoxPolicies(values));
        using var expected = JsonDocument.Parse(BrowserPolicyGenerator.AgentFirefoxPolicies(PolicyTestValues.Normal));

        PropertyPaths(actual.RootElement).ShouldBe(PropertyPaths(expected.RootElement));
        var policies = actual.RootElement.GetProperty("policies");
        foreach (var policy in new[] { policies.GetProperty("Permissions").GetProperty("Microphone"), policies.GetProperty("Permissions").GetProperty("Autoplay"), policies.GetProperty("PopupBlocking") })
        {
            BrowserPolicyGeneratorTests.Strings(policy.GetProperty("Allow")).ShouldBe([origin]);
        }
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void AgentFirefoxPolicies_HostilePayload_IsAsciiSoNoEncodingCanMisreadIt(string payload)
    {
        BrowserPolicyGenerator.AgentFirefoxPolicies(PolicyTestValues.Hostile(payload))
            .ShouldAllBe(c => c == '\n' || (c >= ' ' && c <= '~'));
    }

    /// <summary>The .reg value-line grammar: a quoted name, '=', and a quoted string in which only \\ and \" are escapes.</summary>
    [GeneratedRegex(@"^""1""=""(?<data>(?:[^""\\\r\n]|\\[\\""])*)""\z")]
    private static partial Regex ValueLine();

    private static string RegUnescape(string data) => Regex.Replace(data, @"\\(.)", "$1");

    private static List<string> PropertyPaths(JsonElement element, string path = "")
    {
        var paths = new List<string> { $"{path}:{element.ValueKind}" };
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                paths.AddRange(PropertyPaths(property.Value, $"{path}/{property.Name}"));
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            paths.Add($"{path}:length {element.GetArrayLength()}");
        }

        return paths;
    }
}
