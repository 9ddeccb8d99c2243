using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SplitCcp.Core.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the web host.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<SplitCcpDbContext>
{
    public SplitCcpDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SplitCcpDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
