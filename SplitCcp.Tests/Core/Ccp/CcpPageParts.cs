using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Ccp;

/// <summary>A generated CCP page taken apart the way a browser's tokenizer would find its pieces.</summary>
internal sealed partial record CcpPageParts(string Html, string ConfigJson, string Csp, string Loader, string Style)
{
    public const string ConfigOpen = "<script type=\"application/json\" id=\"ccp-config\">";

    public static CcpPageParts Of(string html)
    {
        // A script element's text ends at the first "</script" whatever follows, so that is where the JSON block ends.
        var configStart = html.IndexOf(ConfigOpen, StringComparison.Ordinal);
        configStart.ShouldBeGreaterThan(0, "the page has no ccp-config block");
        configStart += ConfigOpen.Length;
        var configEnd = html.IndexOf("</script", configStart, StringComparison.OrdinalIgnoreCase);

        var csp = CspMeta().Match(html);
        csp.Success.ShouldBeTrue("the page has no Content-Security-Policy meta element");
        var loader = InlineScript().Match(html);
        loader.Success.ShouldBeTrue("the page has no inline loader script");
        var style = InlineStyle().Match(html);
        style.Success.ShouldBeTrue("the page has no inline style");

        return new CcpPageParts(html, html[configStart..configEnd], WebUtility.HtmlDecode(csp.Groups["csp"].Value), loader.Groups["js"].Value, style.Groups["css"].Value);
    }

    public JsonNode Config => JsonNode.Parse(ConfigJson)!;

    public JsonNode InitCcpOptions => Config["initCcp"]!;

    public int ScriptTagCount => Regex.Count(Html, "<script", RegexOptions.IgnoreCase);

    /// <summary>The page with its JSON block cut out: where no tenant value may appear except the CSP's frame origin.</summary>
    public string HtmlWithoutConfig => Html.Replace(ConfigJson, "", StringComparison.Ordinal);

    public static string HashSource(string inline) =>
        $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)))}'";

    public string ExpectedCsp(string frameOrigin) =>
        $"default-src 'none'; script-src 'self' {HashSource(Loader)}; style-src {HashSource(Style)}; frame-src {frameOrigin}; "
        + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

    public static SetupValues Values(string? ccpUrl = "https://northwind.my.connect.aws/ccp-v2/", string? loginUrl = "https://d-9067a1b2c3.awsapps.com/start/#/saml/custom/Northwind%20CCP/MTIzNDU2Nzg5MDEy",
        string? instanceUrl = "https://northwind.my.connect.aws", string region = "eu-west-2") => new()
    {
        Region = region,
        Partition = "aws",
        IdentityCenterRegion = region,
        AcsUrl = AwsPartitions.Commercial.SamlSignInUrl,
        Audience = AwsPartitions.Commercial.SamlAudience,
        ConnectInstanceUrl = instanceUrl,
        CcpUrl = ccpUrl,
        LoginUrl = loginUrl,
        HostingOrigin = "https://d111111abcdef8.cloudfront.net",
    };

    [GeneratedRegex("<meta http-equiv=\"Content-Security-Policy\" content=\"(?<csp>[^\"]*)\">")]
    private static partial Regex CspMeta();

    [GeneratedRegex("<script>(?<js>.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScript();

    [GeneratedRegex("<style>(?<css>.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex InlineStyle();
}
