using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SplitCcp.Core.Reconciliation.Resources;

/// <summary>Comparable forms of the documents AWS hands back, which it may reformat or reorder.</summary>
internal static class Documents
{
    private static readonly JsonSerializerOptions s_compact = new() { WriteIndented = false };

    /// <summary>A JSON document with its object keys sorted and no whitespace; the text itself when it is not JSON.</summary>
    public static string? NormalizeJson(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return Sorted(JsonNode.Parse(json))?.ToJsonString(s_compact);
        }
        catch (JsonException)
        {
            return json.Trim();
        }
    }

    /// <summary>An XML document compared by its text with line endings and surrounding space normalized.</summary>
    public static string? NormalizeText(string? text) => text?.ReplaceLineEndings("\n").Trim();

    /// <summary>A short, comparable stand-in for a long document in a plan: its SHA-256 prefix and length.</summary>
    public static string? Digest(string? text) => text is null
        ? null
        : $"sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16]} ({text.Length.ToString(CultureInfo.InvariantCulture)} characters)";

    public static string Bool(bool value) => value ? "true" : "false";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };
}
