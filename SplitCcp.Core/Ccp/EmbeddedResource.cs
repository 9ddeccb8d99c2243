using System.Text;

namespace SplitCcp.Core.Ccp;

/// <summary>Reads the CCP assets embedded by SplitCcp.Core.csproj under their logical names.</summary>
internal static class EmbeddedResource
{
    public static byte[] ReadBytes(string name)
    {
        using var stream = typeof(EmbeddedResource).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource {name} is not embedded in {typeof(EmbeddedResource).Assembly.GetName().Name}; rebuild SplitCcp.Core.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The resource as text without a BOM and with \n line endings, whatever the checkout did, so hashes over it are stable.</summary>
    public static string ReadText(string name) => Encoding.UTF8.GetString(ReadBytes(name)).TrimStart('\uFEFF').ReplaceLineEndings("\n");
}
