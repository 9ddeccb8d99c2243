using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SplitCcp.Core.Ccp;

namespace SplitCcp.Tests.Core.Ccp;

public sealed class ConnectStreamsAssetTests
{
    private static readonly string s_assets =
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "SplitCcp.Core", "Ccp", "Assets"));

    [Fact]
    public void Version_ComesFromThePinnedPackage()
    {
        ConnectStreamsAsset.Instance.Version.ShouldBe("2.28.2");

        var package = JsonNode.Parse(File.ReadAllText(Path.Combine(s_assets, "package.json")))!;
        package["dependencies"]!["amazon-connect-streams"]!.GetValue<string>().ShouldBe("2.28.2");
        var lockFile = JsonNode.Parse(File.ReadAllText(Path.Combine(s_assets, "package-lock.json")))!;
        lockFile["lockfileVersion"]!.GetValue<int>().ShouldBe(3);
        lockFile["packages"]!["node_modules/amazon-connect-streams"]!["version"]!.GetValue<string>().ShouldBe("2.28.2");
    }

    [Fact]
    public void Content_IsTheMinifiedReleaseFromNodeModules()
    {
        var file = File.ReadAllBytes(Path.Combine(s_assets, "node_modules", "amazon-connect-streams", "release", "connect-streams-min.js"));
        var asset = ConnectStreamsAsset.Instance;

        asset.Content.ToArray().ShouldBe(file);
        asset.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(file)));
        asset.Sha256.ShouldMatch("^[0-9a-f]{64}$");
        var text = Encoding.UTF8.GetString(asset.Content.Span);
        text.ShouldStartWith("(()=>{");
        text.ShouldContain(".core.initCCP=function(", Case.Sensitive);
        text.ShouldContain(".core.initSoftphoneManager=function(", Case.Sensitive);
    }

    [Fact]
    public void Instance_IsReadOnce()
    {
        ConnectStreamsAsset.Instance.ShouldBeSameAs(ConnectStreamsAsset.Instance);
        ConnectStreamsAsset.FileName.ShouldBe("connect-streams.js");
    }
}
