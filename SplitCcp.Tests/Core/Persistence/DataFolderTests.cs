namespace SplitCcp.Tests.Core.Persistence;

/// <summary>The data folder the portal creates on first start: readable by its own user only.</summary>
public sealed class DataFolderTests
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task FirstStart_FreshDataFolder_DatabaseAndItsLogFilesAreOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A folder that does not exist yet, in the test's own folder: the portal creates it, as on a first start.
        await using var host = await CoreTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["SplitCcp:Storage:ConnectionString"] = "",
            ["SplitCcp:Storage:DataDirectory"] = "fresh/data",
        });
        var folder = Path.Combine(host.Folder, "fresh", "data");

        // The operator's user: a first write makes SQLite open its write-ahead log and shared-memory file.
        await host.CreateOperatorAsync();

        File.GetUnixFileMode(folder).ShouldBe(OwnerOnlyFolder);
        var files = Directory.GetFiles(folder, "splitccp.db*").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        files.ShouldBe(["splitccp.db", "splitccp.db-shm", "splitccp.db-wal"]);
        foreach (var file in files)
        {
            File.GetUnixFileMode(Path.Combine(folder, file!)).ShouldBe(OwnerOnlyFile, file);
        }
    }
}
