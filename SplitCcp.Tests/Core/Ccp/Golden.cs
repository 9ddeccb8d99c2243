namespace SplitCcp.Tests.Core.Ccp;

/// <summary>
/// Compares generated text with a checked-in file under SplitCcp.Tests/Core/Ccp/Golden, byte for byte.
/// After an intended change, regenerate the files and review the diff:
/// <code>SPLITCCP_UPDATE_GOLDEN=1 dotnet test SplitCcp.Tests --filter "FullyQualifiedName~Ccp"</code>
/// </summary>
internal static class Golden
{
    public const string UpdateVariable = "SPLITCCP_UPDATE_GOLDEN";

    // The source folder, not the build output: three levels up from bin/<configuration>/<framework>.
    private static readonly string s_folder =
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Core", "Ccp", "Golden"));

    public static void Match(string fileName, string actual)
    {
        var path = Path.Combine(s_folder, fileName);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(s_folder);
            File.WriteAllText(path, actual);
            return;
        }

        File.Exists(path).ShouldBeTrue($"{path} is missing; run the tests once with {UpdateVariable}=1 to write it, then review it.");
        var expected = File.ReadAllText(path);
        if (actual != expected)
        {
            var at = Enumerable.Range(0, Math.Min(actual.Length, expected.Length)).FirstOrDefault(i => actual[i] != expected[i], Math.Min(actual.Length, expected.Length));
            var line = actual.AsSpan(0, at).Count('\n') + 1;
            actual.ShouldBe(expected, $"{fileName} differs from the golden file from line {line} on; if the change is intended, rerun with {UpdateVariable}=1 and review the diff.");
        }
    }
}
