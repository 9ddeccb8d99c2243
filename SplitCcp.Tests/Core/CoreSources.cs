namespace SplitCcp.Tests.Core;

/// <summary>The source files of SplitCcp.Core, for tests that hold the code itself to a rule.</summary>
internal static class CoreSources
{
    public static string Root { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "SplitCcp.Core"));

    /// <summary>Every .cs file of Core except build output.</summary>
    public static IEnumerable<string> Files()
    {
        Directory.Exists(Root).ShouldBeTrue(Root);
        return Directory.EnumerateFiles(Root, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
    }
}
