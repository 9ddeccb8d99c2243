using System.Text.Json;
using System.Text.Json.Serialization;

namespace SplitCcp.Core.Tenants.Spec;

/// <summary>
/// Reads and writes spec documents. A document of another schema version, with a field this portal does not know, or of the
/// wrong shape is refused whole with a message that says why: a spec is never half-read.
/// </summary>
public static class TenantSpecJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(TenantSpec spec) => JsonSerializer.Serialize(spec, Options);

    /// <summary>A deep copy, so a change to it never reaches the original.</summary>
    public static TenantSpec Clone(TenantSpec spec) => JsonSerializer.Deserialize<TenantSpec>(Serialize(spec), Options)!;

    /// <summary>The spec in the document, or the errors that stop it being read, keyed by JSON path.</summary>
    public static (TenantSpec? Spec, IReadOnlyDictionary<string, string[]> Errors) Parse(string json)
    {
        static (TenantSpec?, IReadOnlyDictionary<string, string[]>) Fail(string field, string message) =>
            (null, new Dictionary<string, string[]> { [field] = [message] });

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            return Fail("$", $"The document is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Fail("$", "The spec must be a JSON object.");
            }

            if (!document.RootElement.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number)
            {
                return Fail("schemaVersion", $"Say which schema the document follows: \"schemaVersion\": {TenantSpec.CurrentSchemaVersion}.");
            }

            if (!version.TryGetInt32(out var number) || number != TenantSpec.CurrentSchemaVersion)
            {
                return Fail("schemaVersion",
                    $"This portal reads spec schema version {TenantSpec.CurrentSchemaVersion}; the document is version {version.GetRawText()}. " +
                    "Nothing was read. Export the spec from a portal of the same version, or upgrade this one.");
            }

            // A list over its cap is refused before its items become objects: a 48,000-agent upload costs no more than reading it.
            foreach (var (path, rule) in s_cappedLists)
            {
                if (Find(document.RootElement, path) is { ValueKind: JsonValueKind.Array } list && rule(list.GetArrayLength()) is { } error)
                {
                    return Fail(path, error);
                }
            }

            try
            {
                var spec = document.RootElement.Deserialize<TenantSpec>(Options);
                return spec is null ? Fail("$", "The spec must be a JSON object.") : (spec, new Dictionary<string, string[]>());
            }
            catch (JsonException ex)
            {
                return Fail(ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "$", Describe(ex));
            }
        }
    }

    private static readonly (string Path, Func<int, string?> Rule)[] s_cappedLists =
    [
        ("connect.agents", TenantSpecRules.AgentCount),
        ("identityCenter.assignedUsers", TenantSpecRules.AssignedUserCount),
        ("identityCenter.assignedGroups", TenantSpecRules.AssignedGroupCount),
        ("appStream.imageBuilder.subnetIds", TenantSpecRules.SubnetCount),
        ("appStream.imageBuilder.securityGroupIds", TenantSpecRules.SecurityGroupCount),
    ];

    /// <summary>The element at a dotted path, matching names as the deserializer does (case-insensitively); null when absent.</summary>
    private static JsonElement? Find(JsonElement root, string path)
    {
        var element = root;
        foreach (var name in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var found = element.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (found.Value.ValueKind == JsonValueKind.Undefined)
            {
                return null;
            }

            element = found.Value;
        }

        return element;
    }

    private static string Describe(JsonException ex) =>
        ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
            ? $"This field is not part of spec schema version {TenantSpec.CurrentSchemaVersion}. Nothing was read."
            : $"This value has the wrong type or format. Nothing was read. ({ex.Message.Split(" Path:")[0]})";

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            WriteIndented = true,
            RespectNullableAnnotations = false,
            AllowTrailingCommas = false,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
