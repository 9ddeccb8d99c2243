using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Core.Tenants;

internal sealed class ExistingTenants(IDbContextFactory<SplitCcpDbContext> dbFactory) : IExistingTenants
{
    public async Task<IReadOnlySet<Guid>> WhichExistAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = tenantIds.ToList();
        return (await db.Tenants.Where(t => ids.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct)).ToHashSet();
    }

    public async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = tenantIds.ToList();
        return await db.Tenants.Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.DisplayName, ct);
    }

    public async Task<IReadOnlyList<Guid>> IdsBySlugAsync(IReadOnlyCollection<string> slugs, CancellationToken ct)
    {
        if (slugs.Count == 0)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var wanted = slugs.ToList();
        return await db.Tenants.Where(t => wanted.Contains(t.Slug)).Select(t => t.Id).ToListAsync(ct);
    }
}
