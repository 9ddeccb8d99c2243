using Microsoft.EntityFrameworkCore;

namespace SplitCcp.Core.Persistence;

/// <summary>The portal's model on SQLite, the default: one file in the data folder, written by one writer at a time.</summary>
public sealed class SqliteSplitCcpDbContext(DbContextOptions<SqliteSplitCcpDbContext> options) : SplitCcpDbContext(options)
{
    private SemaphoreSlim? _writeGate;

    /// <summary>The file's <see cref="SqliteWriteGate"/>.</summary>
    private protected override SemaphoreSlim WriteGate => _writeGate ??= SqliteWriteGate.For(Database.GetConnectionString());
}
