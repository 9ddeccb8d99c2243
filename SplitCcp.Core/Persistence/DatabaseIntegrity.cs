using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// Checks the SQLite file before the portal starts on it (<c>PRAGMA quick_check</c>): a damaged database must stop the start
/// with a plain message, not start, report ready and fail request by request.
/// </summary>
public sealed class DatabaseIntegrity(IDbContextFactory<SplitCcpDbContext> dbFactory)
{
    public const string Advice = "Stop the portal and restore the data folder from a backup (see \"Secrets at rest and backups\" in the README).";

    /// <summary>Null when the database reads whole; otherwise one line that says what is wrong and what to do.</summary>
    public async Task<string?> FindDamageAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (db.Database.GetDbConnection() is not SqliteConnection connection)
        {
            return null;
        }

        try
        {
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check;";
            var findings = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct) && findings.Count < 3)
                {
                    findings.Add(reader.GetString(0));
                }
            }

            return findings is ["ok"] ? null
                : $"The database {connection.DataSource} is damaged (SQLite's quick check: {string.Join("; ", findings)}). {Advice}";
        }
        catch (SqliteException ex)
        {
            return $"The database {connection.DataSource} is damaged or cannot be read ({ex.Message.ReplaceLineEndings(" ")}). {Advice}";
        }
    }
}
