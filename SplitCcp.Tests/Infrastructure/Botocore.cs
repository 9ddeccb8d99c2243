using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// AWS's own data as botocore ships it (installed beside the aws CLI on every build machine): data/endpoints.json and the
/// service models. Never skipped: when botocore is missing, the tests that read it fail and say how to install it.
/// </summary>
internal static class Botocore
{
    private static readonly Lazy<string> s_dataFolder = new(FindDataFolder);

    public static JsonElement Endpoints() => Read(Path.Combine(s_dataFolder.Value, "endpoints.json"));

    /// <summary>The newest version of a service's model (data/&lt;service&gt;/&lt;version&gt;/service-2.json, gzipped or not).</summary>
    public static JsonElement ServiceModel(string service)
    {
        var version = Directory.GetDirectories(Path.Combine(s_dataFolder.Value, service)).Order(StringComparer.Ordinal).Last();
        var plain = Path.Combine(version, "service-2.json");
        return File.Exists(plain) ? Read(plain) : Read(plain + ".gz");
    }

    /// <summary>
    /// What in a JSON request body the service model of <paramref name="service"/> would refuse for <paramref name="operation"/>:
    /// members it does not declare, required members left out, values of the wrong type, strings outside their length or
    /// pattern, numbers outside their range. Empty when the body fits, as AWS's own validation would see it.
    /// </summary>
    public static IReadOnlyList<string> RequestProblems(string service, string operation, JsonElement body)
    {
        var model = ServiceModel(service);
        var input = model.GetProperty("operations").GetProperty(operation).GetProperty("input").GetProperty("shape").GetString()!;
        var problems = new List<string>();
        CheckValue(model.GetProperty("shapes"), input, body, operation, problems);
        return problems;
    }

    private static void CheckValue(JsonElement shapes, string shapeName, JsonElement value, string path, List<string> problems)
    {
        var shape = shapes.GetProperty(shapeName);
        var type = shape.GetProperty("type").GetString();
        switch (type)
        {
            case "structure" when value.ValueKind == JsonValueKind.Object:
                var members = shape.GetProperty("members");
                foreach (var member in value.EnumerateObject())
                {
                    if (members.TryGetProperty(member.Name, out var declared))
                    {
                        CheckValue(shapes, declared.GetProperty("shape").GetString()!, member.Value, $"{path}.{member.Name}", problems);
                    }
                    else
                    {
                        problems.Add($"{path}.{member.Name} is not a member of {shapeName}");
                    }
                }

                if (shape.TryGetProperty("required", out var required))
                {
                    problems.AddRange(required.EnumerateArray().Select(r => r.GetString()!).Where(r => !value.TryGetProperty(r, out _)).Select(r => $"{path}.{r} is required"));
                }

                break;
            case "list" when value.ValueKind == JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckValue(shapes, shape.GetProperty("member").GetProperty("shape").GetString()!, item, $"{path}[{index++}]", problems);
                }

                CheckRange(shape, value.GetArrayLength(), $"{path} has {value.GetArrayLength()} items", problems);
                break;
            case "string" when value.ValueKind == JsonValueKind.String:
                var text = value.GetString()!;
                CheckRange(shape, text.Length, $"{path} has {text.Length} characters", problems);

                // Java's \w, as AWS reads its patterns, is ASCII: so is ECMAScript's.
                if (shape.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, $"^(?:{pattern.GetString()})$", RegexOptions.ECMAScript))
                {
                    problems.Add($"{path} '{text}' does not match {pattern.GetString()}");
                }

                break;
            case "integer" or "long" when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number):
                CheckRange(shape, number, $"{path} is {number}", problems);
                break;
            case "boolean" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
            case "timestamp" when value.ValueKind is JsonValueKind.Number or JsonValueKind.String:
            case "map" when value.ValueKind == JsonValueKind.Object:
                break;
            default:
                problems.Add($"{path} is a JSON {value.ValueKind}, but {shapeName} is a {type}");
                break;
        }
    }

    private static void CheckRange(JsonElement shape, long value, string what, List<string> problems)
    {
        var min = shape.TryGetProperty("min", out var lo) ? lo.GetInt64() : long.MinValue;
        var max = shape.TryGetProperty("max", out var hi) ? hi.GetInt64() : long.MaxValue;
        if (value < min || value > max)
        {
            problems.Add($"{what}, outside {(min == long.MinValue ? "" : min)}..{(max == long.MaxValue ? "" : max)}");
        }
    }

    private static JsonElement Read(string path)
    {
        using var file = File.OpenRead(path);
        using Stream content = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var document = JsonDocument.Parse(content);
        return document.RootElement.Clone();
    }

    private static string FindDataFolder()
    {
        var start = new ProcessStartInfo("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var python = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
            var folder = python.StandardOutput.ReadToEnd().Trim();
            python.WaitForExit();
            return python.ExitCode == 0 && Directory.Exists(Path.Combine(folder, "data"))
                ? Path.Combine(folder, "data")
                : throw new InvalidOperationException($"botocore is not installed for python3 ({python.StandardError.ReadToEnd().Trim()}). Install it with: pip install botocore");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("python3 is not installed, so botocore's data cannot be read. Install python3 and botocore.", ex);
        }
    }
}
