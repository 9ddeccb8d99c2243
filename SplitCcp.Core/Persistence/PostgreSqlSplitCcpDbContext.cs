using Microsoft.EntityFrameworkCore;

namespace SplitCcp.Core.Persistence;

/// <summary>The portal's model on PostgreSQL, where several portal replicas share one database; its migrations are in Migrations/PostgreSql.</summary>
public sealed class PostgreSqlSplitCcpDbContext(DbContextOptions<PostgreSqlSplitCcpDbContext> options) : SplitCcpDbContext(options);
