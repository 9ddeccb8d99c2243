using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SplitCcp.Core.Persistence;

/// <summary>Lets <c>dotnet ef migrations add --context SqliteSplitCcpDbContext</c> build the model without starting the web host.</summary>
internal sealed class SqliteDesignTimeDbContextFactory : IDesignTimeDbContextFactory<SqliteSplitCcpDbContext>
{
    public SqliteSplitCcpDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSplitCcpDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgreSqlSplitCcpDbContext</c> build the model; it connects to no server.</summary>
internal sealed class PostgreSqlDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgreSqlSplitCcpDbContext>
{
    public PostgreSqlSplitCcpDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlSplitCcpDbContext>().UseNpgsql("Host=localhost;Database=splitccp_design_time").Options);
}
