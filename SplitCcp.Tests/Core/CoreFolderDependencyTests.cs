using System.Text.RegularExpressions;

namespace SplitCcp.Tests.Core;

/// <summary>
/// Core's folders form layers: a folder may use the ones below it, never one that uses it back, directly or round a longer
/// loop. Read from the code itself: <c>using SplitCcp.Core.X</c> lines and names qualified with a folder (<c>GoLive.X</c>).
/// The root (the service registration) may use every folder.
/// </summary>
public sealed partial class CoreFolderDependencyTests
{
    private static readonly string[] s_accountBoundFolders = ["Reconciliation", "Tenants", "Aws"];

    [Fact]
    public void No_folder_of_Core_uses_a_folder_that_uses_it_back()
    {
        var uses = FolderUses();
        uses.Keys.ShouldContain("Persistence");

        var cycles = Cycles(uses);

        cycles.ShouldBeEmpty("Core folders that use each other: " + string.Join("; ", cycles.Select(c => string.Join(" -> ", c))));
    }

    [Fact]
    public void Persistence_knows_no_feature_folder()
    {
        FolderUses()["Persistence"].ShouldBeEmpty();
    }

    [Fact]
    public void Reconciliation_Tenants_and_Aws_name_the_Sandbox_only_as_an_access_mode()
    {
        var mentions = s_accountBoundFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(CoreSources.Root, folder), "*.cs", SearchOption.AllDirectories))
            .SelectMany(file => File.ReadLines(file).Select(line => (File: Path.GetRelativePath(CoreSources.Root, file), Line: line.Trim())))
            .Where(l => l.Line.Contains("Sandbox", StringComparison.Ordinal))
            .Select(l => $"{l.File}: {l.Line}")
            .ToList();

        // The enum member is the stored, API-visible name of the access mode whose provider the Sandbox registers.
        mentions.ShouldBe([$"Tenants{Path.DirectorySeparatorChar}Tenant.cs: Sandbox,"]);
    }

    [Fact]
    public void The_reader_sees_a_folder_behind_a_using_line_or_a_qualified_name()
    {
        var folders = new HashSet<string>(["GoLive", "Tenants", "Sandbox"], StringComparer.Ordinal);

        Referenced("using SplitCcp.Core.GoLive;\nclass A { }", folders).ShouldBe(["GoLive"]);
        Referenced("using static SplitCcp.Core.Tenants.TenantRules;", folders).ShouldBe(["Tenants"]);
        Referenced("class A { Sandbox.SandboxObject o; }", folders).ShouldBe(["Sandbox"]);
        Referenced("class A { void M() => db.Tenants.Add(t); }", folders).ShouldBeEmpty();
        Referenced("/// <see cref=\"GoLive.AgentReadiness\"/>\nclass A { }", folders).ShouldBeEmpty();
        Referenced("b.HasOne(\"SplitCcp.Core.Tenants.Tenant\", null);", folders).ShouldBeEmpty();
    }

    private static Dictionary<string, HashSet<string>> FolderUses()
    {
        var folders = Directory.EnumerateDirectories(CoreSources.Root)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => name is not ("bin" or "obj"))
            .ToHashSet(StringComparer.Ordinal);
        var uses = folders.ToDictionary(f => f, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var file in CoreSources.Files())
        {
            var relative = Path.GetRelativePath(CoreSources.Root, file).Split(Path.DirectorySeparatorChar);
            if (relative.Length < 2)
            {
                continue;
            }

            var folder = relative[0];
            uses[folder].UnionWith(Referenced(File.ReadAllText(file), folders).Where(f => f != folder));
        }

        return uses;
    }

    private static List<string> Referenced(string source, HashSet<string> folders)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in source.Split('\n').Select(l => l.Trim()).Where(l => !l.StartsWith("//", StringComparison.Ordinal)))
        {
            // A string names no type the compiler binds: the migrations' model snapshots spell entity names as strings.
            var code = StringLiteral().Replace(line, "\"\"");
            foreach (Match match in UsingLine().Matches(code).Concat(QualifiedName().Matches(code)))
            {
                if (folders.Contains(match.Groups["folder"].Value))
                {
                    found.Add(match.Groups["folder"].Value);
                }
            }
        }

        return [.. found];
    }

    /// <summary>Every loop in the graph, each as the folders round it (Tarjan's strongly connected components).</summary>
    private static List<List<string>> Cycles(Dictionary<string, HashSet<string>> uses)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var cycles = new List<List<string>>();

        void Visit(string folder)
        {
            index[folder] = low[folder] = index.Count;
            stack.Push(folder);
            foreach (var next in uses.GetValueOrDefault(folder) ?? [])
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    low[folder] = Math.Min(low[folder], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[folder] = Math.Min(low[folder], seen);
                }
            }

            if (low[folder] == index[folder])
            {
                var component = new List<string>();
                string popped;
                do
                {
                    popped = stack.Pop();
                    component.Add(popped);
                }
                while (popped != folder);

                if (component.Count > 1)
                {
                    cycles.Add(component);
                }
            }
        }

        foreach (var folder in uses.Keys.Where(f => !index.ContainsKey(f)).ToList())
        {
            Visit(folder);
        }

        return cycles;
    }

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^using\s+(?:static\s+)?(?:\w+\s*=\s*)?SplitCcp\.Core\.(?<folder>\w+)")]
    private static partial Regex UsingLine();

    /// <summary>A folder named in code, <c>GoLive.GoLiveLedger</c> or <c>SplitCcp.Core.GoLive.GoLiveLedger</c>, not a member access like <c>db.Tenants.Add</c>.</summary>
    [GeneratedRegex(@"(?:(?<![\w.])|(?<=\bSplitCcp\.Core\.))(?<folder>[A-Z]\w*)\.(?=[A-Z])")]
    private static partial Regex QualifiedName();
}
