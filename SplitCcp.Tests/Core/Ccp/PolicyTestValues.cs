using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Ccp;

internal static class PolicyTestValues
{
    public const string Origin = "https://d111111abcdef8.cloudfront.net";
    public const string ConnectUrl = "https://acme-ccp.my.connect.aws";
    public const string ImageName = "splitccp-acme-ccp";

    /// <summary>A tenant as the wizard builds it, through the real <see cref="SetupValues.For"/>.</summary>
    public static SetupValues Normal { get; } = SetupValues.For("eu-west-2", new TenantSpec
    {
        AwsAccountId = "123456789012",
        Connect = new ConnectSpec { InstanceAlias = "acme-ccp", InstanceId = "bae1b13e-6e52-4e0b-9e13-769c27a1b2c3" },
        Hosting = new HostingSpec { Mode = HostingMode.CloudFront, CloudFrontDomain = "d111111abcdef8.cloudfront.net" },
    });

    public static AppStreamSpec AppStream(AgentBrowser browser) => new() { ImageName = ImageName, Browser = browser };

    /// <summary>
    /// Text meant to escape each format: PowerShell quotes (including the curly ones PowerShell also accepts), subexpressions,
    /// backticks, statement separators, here-string terminators at a line start, .reg brackets and quotes, JSON structure,
    /// cmd variables, a character whose UTF-8 bytes hold a Windows-1252 curly quote, and trailing backslashes.
    /// </summary>
    public static TheoryData<string> Payloads => new()
    {
        "it's",
        "a'';Remove-Item C:\\ -Recurse;''b",
        "'; Remove-Item C:\\ -Recurse; '",
        "\"; Remove-Item C:\\ -Recurse; \"",
        "$(Remove-Item C:\\ -Recurse)",
        "${env:USERNAME}$env:PATH",
        "`$(Remove-Item C:\\ -Recurse)`",
        "x`'; Remove-Item C:\\ -Recurse; '",
        "back\\slash\\",
        "a\\\"b\\\\\"c",
        "\r\n'@\r\nRemove-Item C:\\ -Recurse\r\n@'\r\n",
        "\n\"@\nRemove-Item C:\\ -Recurse\n@\"",
        "@'",
        "x\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil]\r\n\"1\"=\"x\"",
        "][HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil][-HKEY_LOCAL_MACHINE\\SOFTWARE]",
        "\u2019; Remove-Item C:\\ -Recurse; \u2018",
        "\u201a\u201b\u201c\u201d\u201e",
        "\u0111; Remove-Item C:\\ -Recurse; \u0111",
        "\"},\"Evil\":{\"Allow\":[\"*\"]},\"x\":{\"",
        "%PATH% --% ^& calc.exe",
        "<# #> # comment",
        "a/b?c#d",
        "\t\u2028\u0085",
    };

    /// <summary>Every value carries the payload: two origins, the page URLs (payload in the path too).</summary>
    public static SetupValues Hostile(string payload) => new()
    {
        Region = "eu-west-2",
        Partition = "aws",
        IdentityCenterRegion = "eu-west-2",
        AcsUrl = AwsPartitions.Commercial.SamlSignInUrl,
        Audience = AwsPartitions.Commercial.SamlAudience,
        HostingOrigin = $"https://h{payload}.example",
        InSessionUrl = $"https://h{payload}.example/In{payload}Session.html",
        AudioOnlyUrl = $"https://h{payload}.example/Audio{payload}Only.html",
        ConnectInstanceUrl = $"https://c{payload}.my.connect.aws",
    };

    /// <summary>What the policies should name for a page: its URL up to the path, query or fragment.</summary>
    public static string OriginOf(string url)
    {
        var end = url.IndexOfAny(['/', '?', '#'], "https://".Length);
        return end < 0 ? url : url[..end];
    }

    public static bool IsPrintableAscii(string value) => value.All(c => c is >= ' ' and <= '~');
}
