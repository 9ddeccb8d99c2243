using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SplitCcp.Web.Api;

/// <summary>
/// The OpenAPI document as the API reference page shows it: operations grouped by tag, and the schemas they name. Read
/// from the document's JSON, the form clients see, so the page says what <c>/openapi/v1.json</c> says.
/// </summary>
public sealed record ApiReference(IReadOnlyList<ApiTag> Tags, IReadOnlyList<ApiSchema> Schemas)
{
    public const string DocumentName = "v1";

    public const string DocumentPath = $"/openapi/{DocumentName}.json";

    private static readonly string[] s_methods = ["get", "post", "put", "patch", "delete"];

    public static async Task<ApiReference> LoadAsync(IOpenApiDocumentProvider provider, CancellationToken ct)
    {
        var document = await provider.GetOpenApiDocumentAsync(ct);
        return Parse(JsonNode.Parse(await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, ct))!);
    }

    public static ApiReference Parse(JsonNode document)
    {
        var operations = new List<(string Tag, ApiOperation Operation)>();
        foreach (var (path, item) in document["paths"]?.AsObject() ?? [])
        {
            foreach (var method in s_methods)
            {
                if (item?[method] is JsonObject operation)
                {
                    var tag = operation["tags"]?.AsArray().FirstOrDefault()?.GetValue<string>() ?? "Other";
                    operations.Add((tag, Operation(method.ToUpperInvariant(), path, operation)));
                }
            }
        }

        var tags = operations.GroupBy(o => o.Tag).Select(g => new ApiTag(g.Key, [.. g.Select(o => o.Operation)])).ToList();
        var schemas = (document["components"]?["schemas"]?.AsObject() ?? [])
            .Select(s => Schema(s.Key, s.Value!))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        return new ApiReference(tags, schemas);
    }

    private static ApiOperation Operation(string method, string path, JsonObject operation)
    {
        var parameters = (operation["parameters"]?.AsArray() ?? [])
            .OfType<JsonObject>()
            .Select(p => new ApiParameter(
                Text(p["name"]) ?? "", Text(p["in"]) ?? "", TypeOf(p["schema"]), p["required"]?.GetValue<bool>() == true, Text(p["description"])))
            .ToList();
        var responses = (operation["responses"]?.AsObject() ?? [])
            .Select(r => new ApiResponse(r.Key, Text(r.Value?["description"]), ContentType(r.Value)))
            .ToList();
        return new ApiOperation(method, path, Text(operation["summary"]), Text(operation["description"]), parameters,
            ContentType(operation["requestBody"]), responses);
    }

    private static ApiSchema Schema(string name, JsonNode schema)
    {
        var required = (schema["required"]?.AsArray() ?? []).Select(r => r?.GetValue<string>()).ToHashSet();
        var properties = (schema["properties"]?.AsObject() ?? [])
            .Select(p => new ApiProperty(p.Key, TypeOf(p.Value), required.Contains(p.Key), Text(p.Value?["description"])))
            .ToList();
        var values = (schema["enum"]?.AsArray() ?? []).Select(v => v?.ToString() ?? "null").ToList();
        return new ApiSchema(name, Text(schema["description"]), properties, values);
    }

    /// <summary>The schema of the first content type of a request body or response, if it has any.</summary>
    private static ApiType? ContentType(JsonNode? owner) =>
        owner?["content"]?.AsObject().FirstOrDefault().Value?["schema"] is { } schema ? TypeOf(schema) : null;

    private static ApiType TypeOf(JsonNode? schema)
    {
        if (schema is null)
        {
            return new ApiType("any", null);
        }

        if (Text(schema["$ref"]) is { } reference)
        {
            var name = reference[(reference.LastIndexOf('/') + 1)..];
            return new ApiType(name, name);
        }

        // A nullable reference: one of null and the schema.
        if (schema["oneOf"] is JsonArray choices && choices.FirstOrDefault(c => Text(c?["type"]) != "null") is { } chosen)
        {
            return TypeOf(chosen);
        }

        var types = schema["type"] switch
        {
            JsonArray many => many.Select(t => t?.GetValue<string>()).OfType<string>().ToList(),
            JsonValue one => [one.GetValue<string>()],
            _ => [],
        };
        types.Remove("null");

        // A number the serializer also reads from a string is described as both; it is a number.
        if (types.Contains("integer") || types.Contains("number"))
        {
            types.Remove("string");
        }

        if (types is ["array"])
        {
            var item = TypeOf(schema["items"]);
            return item with { Text = $"array of {item.Text}" };
        }

        if (types is ["object"] && schema["additionalProperties"] is JsonObject values)
        {
            var value = TypeOf(values);
            return value with { Text = $"map of {value.Text}" };
        }

        var text = types.Count == 0 ? "any" : string.Join(" or ", types);
        return new ApiType(Text(schema["format"]) is { } format ? $"{text} ({format})" : text, null);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

public sealed record ApiTag(string Name, IReadOnlyList<ApiOperation> Operations);

public sealed record ApiOperation(
    string Method, string Path, string? Summary, string? Description, IReadOnlyList<ApiParameter> Parameters, ApiType? Body, IReadOnlyList<ApiResponse> Responses);

public sealed record ApiParameter(string Name, string In, ApiType Type, bool Required, string? Description);

public sealed record ApiResponse(string Status, string? Description, ApiType? Type);

public sealed record ApiSchema(string Name, string? Description, IReadOnlyList<ApiProperty> Properties, IReadOnlyList<string> Values);

public sealed record ApiProperty(string Name, ApiType Type, bool Required, string? Description);

/// <summary>A type as a reader sees it ("string (uuid)", "array of TenantView"); <see cref="Schema"/> names the schema it links to.</summary>
public sealed record ApiType(string Text, string? Schema);
