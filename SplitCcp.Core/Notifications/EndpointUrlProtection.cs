using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// At start, once the schema is up to date: encrypts the address of each webhook saved before addresses were encrypted,
/// and keeps only its shown form in plain text. Reads first, so a start with nothing to encrypt writes nothing.
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

        await db.SaveChangesAsync(ct);
    }
}
