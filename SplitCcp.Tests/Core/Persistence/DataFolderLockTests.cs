using Microsoft.Data.Sqlite;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Tests.Core.Persistence;

/// <summary>One portal at a time on a data folder: a second would run the first one's applies again.</summary>
public sealed class DataFolderLockTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task StartAsync_SecondHostOnTheSameDataFolder_IsRefusedWhileTheFirstRunsAndStartsOnceItIsDisposed()
    {
        var settings = new Dictionary<string, string?>
        {
            ["SplitCcp:Storage:ConnectionString"] = "",
            ["SplitCcp:Storage:DataDirectory"] = _folder,
        };
        await using (var first = await CoreTestHost.StartAsync(settings))
        {
            await first.CreateOperatorAsync();

            var refused = await Should.ThrowAsync<InvalidOperationException>(() => CoreTestHost.StartAsync(settings));

            refused.Message.ShouldContain($"The data folder {_folder} is in use by another portal process");
            await first.CreateOperatorAsync();
        }

        await using var next = await CoreTestHost.StartAsync(settings);
        await next.CreateUserAsync(Roles.Viewer);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "splitccp.db")}");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM AspNetUsers";
        (await count.ExecuteScalarAsync()).ShouldBe(3L, "the refused host wrote nothing; the first one's users are there");
    }

    [Fact]
    public void TryAcquire_ConnectionStringNamingAFile_LocksBesideThatFileUntilDisposed()
    {
        Directory.CreateDirectory(_folder);
        var connectionString = $"Data Source={Path.Combine(_folder, "portal.db")};Foreign Keys=True";
        var first = new DataFolderLock(connectionString);
        using var second = new DataFolderLock(connectionString);

        first.TryAcquire().ShouldBeNull();
        first.TryAcquire().ShouldBeNull("the holder asking again keeps the lock");
        second.TryAcquire().ShouldBe($"The data folder {_folder} is in use by another portal process (it holds {Path.Combine(_folder, "portal.lock")}). "
            + "Stop the other portal first, or give this one a data folder of its own with SplitCcp:Storage:DataDirectory.");

        first.Dispose();
        second.TryAcquire().ShouldBeNull();
    }

    [Fact]
    public void TryAcquire_LockFileCreated_IsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Directory.CreateDirectory(_folder);
        using var folderLock = new DataFolderLock($"Data Source={Path.Combine(_folder, "splitccp.db")}");

        folderLock.TryAcquire().ShouldBeNull();

        File.GetUnixFileMode(Path.Combine(_folder, "splitccp.lock")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=portal;Mode=Memory;Cache=Shared")]
    public void TryAcquire_InMemoryDatabase_TakesNoLockAndWritesNoFile(string connectionString)
    {
        var lockFiles = Directory.GetFiles(Environment.CurrentDirectory, "*.lock");
        using var first = new DataFolderLock(connectionString);
        using var second = new DataFolderLock(connectionString);

        first.TryAcquire().ShouldBeNull();
        second.TryAcquire().ShouldBeNull();

        Directory.GetFiles(Environment.CurrentDirectory, "*.lock").ShouldBe(lockFiles);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
