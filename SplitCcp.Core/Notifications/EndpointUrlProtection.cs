using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// At start, once the schema is up to date: encrypts the address of each webhook saved before addresses were encrypted,
/// and keeps only its shown form in plain text. Reads first, so a start with nothing to encrypt writes nothing. On SQLite
/// the old plain copy is wiped too: the rewrite zeroes the space it frees (<c>secure_delete</c>) and the log that still
/// holds the earlier page is moved into the file and emptied. (On PostgreSQL the old row version stays until vacuum.)
/// </summary>
internal sealed class EndpointUrlProtection(IDbContextFactory<SplitCcpDbContext> dbFactory, EndpointSecrets secrets) : IDatabaseSeed
{
    public async Task SeedAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var plain = await db.NotificationEndpoints.Where(e => e.Channel == NotificationChannel.Webhook && e.ProtectedUrl == "").ToListAsync(ct);
        if (plain.Count == 0)
        {
            return;
        }

        foreach (var endpoint in plain)
        {
            endpoint.ProtectedUrl = secrets.ProtectUrl(endpoint.Url);
            endpoint.Url = EndpointSecrets.Shown(endpoint.Url);
        }

        if (db is not SqliteSplitCcpDbContext)
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete = ON;", ct);
            await db.SaveChangesAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete = OFF;", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }
}
