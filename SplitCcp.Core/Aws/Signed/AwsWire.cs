using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;

namespace SplitCcp.Core.Aws.Signed;

/// <summary>Reading AWS JSON answers: absent and null members read as null or empty.</summary>
public static class AwsJson
{
    public static JsonElement Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
        return document.RootElement.Clone();
    }

    /// <summary>The request body; members set to null (a first page's NextToken, say) are left out, as AWS expects.</summary>
    public static byte[] Serialize(JsonObject request)
    {
        var copy = request.DeepClone().AsObject();
        foreach (var name in copy.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            copy.Remove(name);
        }

        return Encoding.UTF8.GetBytes(copy.ToJsonString());
    }

    public static JsonElement? Member(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string? Str(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>A string member AWS always sends; its absence is a broken answer, not a missing resource.</summary>
    public static string Required(this JsonElement element, string name) =>
        element.Str(name) ?? throw new InvalidDataException($"The AWS answer has no {name}.");

    public static IEnumerable<JsonElement> Items(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];
}

/// <summary>Reading AWS XML answers by local name, whatever the service's namespace. DTDs are refused.</summary>
public static class AwsXml
{
    private static readonly XmlReaderSettings s_settings = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };

    public static XElement Parse(byte[] body)
    {
        if (body.Length == 0)
        {
            return new XElement("Empty");
        }

        using var reader = XmlReader.Create(new MemoryStream(body), s_settings);
        return XElement.Load(reader);
    }

    public static XElement? Child(this XElement element, string name) => element.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public static string? Text(this XElement element, string name) => element.Child(name)?.Value;

    /// <summary>The text at a path of child elements AWS always sends, e.g. <c>Required("Role", "Arn")</c>; its absence is a broken answer.</summary>
    public static string Required(this XElement element, params string[] path) =>
        path.Aggregate((XElement?)element, (at, name) => at?.Child(name))?.Value
            ?? throw new InvalidDataException($"The AWS answer has no {string.Join('/', path)}.");

    /// <summary>The elements of a list: <c>&lt;name&gt;&lt;member/&gt;…&lt;/name&gt;</c> (Query) or <c>&lt;name&gt;&lt;Item/&gt;…&lt;/name&gt;</c> (REST-XML).</summary>
    public static IEnumerable<XElement> Items(this XElement element, string name) => element.Child(name)?.Elements() ?? [];

    public static bool Flag(this XElement element, string name) => element.Text(name) is "true";
}

/// <summary>Paths, query strings and form bodies, encoded as SigV4 canonicalises them.</summary>
public static class AwsPath
{
    /// <summary>A path with each value encoded into its segment: <c>Of("/users/{0}/{1}", instanceId, userId)</c>.</summary>
    public static string Of(string template, params string[] values) =>
        string.Format(CultureInfo.InvariantCulture, template, [.. values.Select(SigV4.Encode)]);

    /// <summary>The path with the parameters that have a value as its query string.</summary>
    public static string Query(string path, params (string Name, string? Value)[] parameters) =>
        Form(parameters) is { Length: > 0 } query ? $"{path}?{query}" : path;

    public static string Form(IEnumerable<(string Name, string? Value)> parameters) =>
        string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{SigV4.Encode(p.Name)}={SigV4.Encode(p.Value!)}"));
}

public static class AwsPaging
{
    /// <summary>Every page of a listing: <paramref name="page"/> gets the previous page's token (null first) and returns its items and the next token.</summary>
    public static async Task<IReadOnlyList<T>> AllAsync<T>(Func<string?, Task<(IEnumerable<T> Items, string? Next)>> page)
    {
        var all = new List<T>();
        string? token = null;
        do
        {
            var (items, next) = await page(token);
            all.AddRange(items);
            token = string.IsNullOrEmpty(next) ? null : next;
        }
        while (token is not null);

        return all;
    }

    /// <summary>
    /// The answer read by <paramref name="found"/>, or null when AWS says the resource does not exist
    /// (<see cref="AwsFailureKind.NotFound"/>): for reads whose contract reports a missing resource as null.
    /// </summary>
    public static async Task<TResult?> OrNullIfNotFound<T, TResult>(this Task<T> call, Func<T, TResult?> found)
        where TResult : class
    {
        try
        {
            return found(await call);
        }
        catch (AwsCallException ex) when (ex.Failure.Kind == AwsFailureKind.NotFound)
        {
            return null;
        }
    }
}
