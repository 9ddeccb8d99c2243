using System.Collections.Concurrent;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// One writer at a time per SQLite file in this process, queued asynchronously. SQLite lets one connection write at a time
/// and answers the others SQLITE_BUSY, which Microsoft.Data.Sqlite retries by putting the thread to sleep for 150 ms at a
/// time until the command timeout: with tens of applies or drift checks writing at once, thread-pool threads sleep instead
/// of working, unlucky writers starve, and some fail with "database is locked" after 30 seconds. Waiting here first, in
/// turn and without a thread, leaves SQLite only writers that get the lock at once.
/// </summary>
internal static class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> s_gates = new(StringComparer.Ordinal);

    /// <summary>The gate of the database file the connection string opens.</summary>
    public static SemaphoreSlim For(string? connectionString)
    {
        connectionString ??= "";
        return s_gates.GetOrAdd(StorageOptions.DatabaseFileOf(connectionString) ?? connectionString, static _ => new SemaphoreSlim(1, 1));
    }
}
