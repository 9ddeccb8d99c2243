using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;

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
