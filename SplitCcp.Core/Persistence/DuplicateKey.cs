using Microsoft.Data.Sqlite;
using Npgsql;

namespace SplitCcp.Core.Persistence;

/// <summary>A write refused because a row with the same unique key exists: another writer got there first.</summary>
public static class DuplicateKey
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>Whether <paramref name="exception"/> or one inside it is SQLite's or PostgreSQL's unique-key violation.</summary>
    public static bool IsCauseOf(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException { SqliteErrorCode: SqliteConstraint } sqlite:
                    return sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey;
                case PostgresException postgres:
                    return postgres.SqlState == PostgresErrorCodes.UniqueViolation;
            }
        }

        return false;
    }
}
