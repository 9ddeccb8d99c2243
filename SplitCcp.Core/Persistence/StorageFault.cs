using Microsoft.Data.Sqlite;

namespace SplitCcp.Core.Persistence;

public enum StorageFaultKind
{
    /// <summary>SQLITE_READONLY: the file, its folder or the disk refuses writes, or SQLite opened the file read-only.</summary>
    ReadOnly,

    /// <summary>SQLITE_FULL: the disk has no room for what the write needs.</summary>
    DiskFull,

    /// <summary>SQLITE_IOERR: the disk failed a read or write, as on a disk remounted read-only under open files.</summary>
    DiskError,

    /// <summary>SQLITE_CANTOPEN: the database file cannot be opened at all.</summary>
    CannotOpen,
}

/// <summary>
/// Why the database cannot be written, in the words an operator acts on. <see cref="Cause"/> is what SQLite or the
/// operating system said, such as "database or disk is full"; it names no file, so anyone who may see the fault may see it.
/// </summary>
public sealed record StorageFault(StorageFaultKind Kind, string Cause)
{
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    /// <summary>The storage fault behind <paramref name="exception"/> or one of its inner exceptions (EF wraps SQLite's), if any.</summary>
    public static StorageFault? From(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException sqlite && KindOf(sqlite.SqliteErrorCode) is { } kind)
            {
                return new StorageFault(kind, Describe(sqlite));
            }
        }

        return null;
    }

    private static string Describe(SqliteException sqlite) =>
        SQLitePCL.raw.sqlite3_errstr(sqlite.SqliteExtendedErrorCode is not 0 and var extended ? extended : sqlite.SqliteErrorCode).utf8_to_string();

    /// <summary>The kind of an SQLite result code; extended codes (SQLITE_READONLY_DIRECTORY, SQLITE_IOERR_WRITE, …) count as their primary code.</summary>
    internal static StorageFaultKind? KindOf(int code) => (code & 0xFF) switch
    {
        SqliteReadOnly => StorageFaultKind.ReadOnly,
        SqliteFull => StorageFaultKind.DiskFull,
        SqliteIoError => StorageFaultKind.DiskError,
        SqliteCantOpen => StorageFaultKind.CannotOpen,
        _ => null,
    };

    /// <summary>What is wrong, in one line: the title of a refused save.</summary>
    public string Title => Kind switch
    {
        StorageFaultKind.ReadOnly => "The data folder is read-only: the portal cannot save.",
        StorageFaultKind.DiskFull => "The disk is full: the portal cannot save.",
        StorageFaultKind.DiskError => "The disk failed a write: the portal cannot save.",
        _ => "The database cannot be opened: the portal cannot save.",
    };

    /// <summary>What the operator can do about it.</summary>
    public string Advice => Kind switch
    {
        StorageFaultKind.ReadOnly =>
            "Make the data folder and the splitccp.db files in it writable for the portal's user, or remount its disk read-write.",
        StorageFaultKind.DiskFull => "Free space on the disk that holds the data folder.",
        StorageFaultKind.DiskError => "Check the disk that holds the data folder (the system log tells more): it may have been remounted read-only or be failing.",
        _ => "Check that the data folder exists and that the portal's user may read and write it.",
    };

    /// <summary>A refused save, told to whoever tried it: nothing of it is kept, what to do, and that no restart is needed.</summary>
    public string SaveRefusedDetail =>
        $"Nothing was saved. {Advice} Then try again: the portal notices by itself when it can write again, no restart needed."
        + (Kind is StorageFaultKind.ReadOnly or StorageFaultKind.DiskFull ? " Everything can still be read meanwhile." : "")
        + $" ({Cause})";

    /// <summary>Why the portal is not ready, for /healthz/ready.</summary>
    public string Reason => $"The database cannot be written: {KindText} ({Cause}). {Advice}";

    private string KindText => Kind switch
    {
        StorageFaultKind.ReadOnly => "the data folder is read-only",
        StorageFaultKind.DiskFull => "the disk is full",
        StorageFaultKind.DiskError => "the disk failed a write",
        _ => "the database file cannot be opened",
    };
}
