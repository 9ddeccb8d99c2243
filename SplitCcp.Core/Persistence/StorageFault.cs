using Microsoft.Data.Sqlite;
using Npgsql;

namespace SplitCcp.Core.Persistence;

public enum StorageFaultKind
{
    /// <summary>
    /// SQLITE_READONLY: the file, its folder or the disk refuses writes, or SQLite opened the file read-only; on PostgreSQL
    /// 25006, a read-only transaction (a standby, or a server set read-only).
    /// </summary>
    ReadOnly,

    /// <summary>SQLITE_FULL: the disk has no room for what the write needs; on PostgreSQL 53100 (disk full).</summary>
    DiskFull,

    /// <summary>SQLITE_IOERR: the disk failed a read or write, as on a disk remounted read-only under open files; on PostgreSQL 58030 (I/O error).</summary>
    DiskError,

    /// <summary>
    /// SQLITE_CANTOPEN: the database file cannot be opened at all; on PostgreSQL the server cannot be reached, refuses the
    /// connection, or is shutting down (class 08, 57P01–57P03, 53300 too many connections, a failed sign-in or a missing database).
    /// </summary>
    CannotOpen,
}

/// <summary>
/// Why the database cannot be written, in the words an operator acts on. <see cref="Cause"/> is what SQLite or the
/// operating system said, such as "database or disk is full"; it names no file, so anyone who may see the fault may see it.
/// <see cref="OnServer"/> faults are a PostgreSQL server's, and their advice is about the server, not a data folder.
/// </summary>
public sealed record StorageFault(StorageFaultKind Kind, string Cause, bool OnServer = false)
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

            if (e is PostgresException postgres)
            {
                return KindOf(postgres.SqlState) is { } serverKind ? new StorageFault(serverKind, $"{postgres.SqlState}: {postgres.MessageText}", OnServer: true) : null;
            }

            // An NpgsqlException that is no PostgresException is the client's: the server could not be reached or the
            // connection broke (its inner exception tells how). A timeout of a command that ran is no storage fault.
            if (e is NpgsqlException { InnerException: not TimeoutException } npgsql)
            {
                return new StorageFault(StorageFaultKind.CannotOpen, (npgsql.InnerException ?? npgsql).Message, OnServer: true);
            }
        }

        return null;
    }

    /// <summary>
    /// The fault behind a connection that could not be opened: as <see cref="From"/>, and any error of PostgreSQL's client
    /// too, a timeout included (a server that drops packets answers nothing, and the connect times out).
    /// </summary>
    public static StorageFault? FromFailedOpen(Exception? exception) =>
        From(exception) ?? (exception is NpgsqlException npgsql
            ? new StorageFault(StorageFaultKind.CannotOpen, (npgsql.InnerException ?? npgsql).Message, OnServer: true)
            : null);

    /// <summary>The kind of a PostgreSQL SQLSTATE; an error of the statement or of the data is none.</summary>
    internal static StorageFaultKind? KindOf(string sqlState) => sqlState switch
    {
        PostgresErrorCodes.ReadOnlySqlTransaction => StorageFaultKind.ReadOnly,
        PostgresErrorCodes.DiskFull => StorageFaultKind.DiskFull,
        PostgresErrorCodes.IoError => StorageFaultKind.DiskError,
        PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification
            or PostgresErrorCodes.InvalidCatalogName => StorageFaultKind.CannotOpen,
        _ when sqlState.StartsWith("08", StringComparison.Ordinal) => StorageFaultKind.CannotOpen,
        _ => null,
    };

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
    public string Title => OnServer ? ServerTitle : Kind switch
    {
        StorageFaultKind.ReadOnly => "The data folder is read-only: the portal cannot save.",
        StorageFaultKind.DiskFull => "The disk is full: the portal cannot save.",
        StorageFaultKind.DiskError => "The disk failed a write: the portal cannot save.",
        _ => "The database cannot be opened: the portal cannot save.",
    };

    /// <summary>What the operator can do about it.</summary>
    public string Advice => OnServer ? ServerAdvice : Kind switch
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

    private string ServerTitle => Kind switch
    {
        StorageFaultKind.ReadOnly => "The PostgreSQL server takes no writes: the portal cannot save.",
        StorageFaultKind.DiskFull => "The PostgreSQL server's disk is full: the portal cannot save.",
        StorageFaultKind.DiskError => "The PostgreSQL server's disk failed a write: the portal cannot save.",
        _ => "The PostgreSQL server cannot be reached: the portal cannot save.",
    };

    private string ServerAdvice => Kind switch
    {
        StorageFaultKind.ReadOnly => "Point SplitCcp:Storage:ConnectionString at the primary server, or make the server writable (default_transaction_read_only).",
        StorageFaultKind.DiskFull => "Free space on the disk that holds the PostgreSQL server's data.",
        StorageFaultKind.DiskError => "Check the disk that holds the PostgreSQL server's data (the server's log tells more).",
        _ => "Check that the PostgreSQL server is running and that SplitCcp:Storage:ConnectionString reaches it with a user that may sign in to the database.",
    };

    private string KindText => OnServer ? Kind switch
    {
        StorageFaultKind.ReadOnly => "the PostgreSQL server takes no writes",
        StorageFaultKind.DiskFull => "the PostgreSQL server's disk is full",
        StorageFaultKind.DiskError => "the PostgreSQL server's disk failed a write",
        _ => "the PostgreSQL server cannot be reached",
    } : Kind switch
    {
        StorageFaultKind.ReadOnly => "the data folder is read-only",
        StorageFaultKind.DiskFull => "the disk is full",
        StorageFaultKind.DiskError => "the disk failed a write",
        _ => "the database file cannot be opened",
    };
}
