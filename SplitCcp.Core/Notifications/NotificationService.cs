using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Mail;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// Endpoints and their deliveries as the caller may see them. An MSP operator sees and manages every endpoint; a tenant
/// admin sees and manages the endpoints that chose only tenants of theirs (and makes only such), so one customer's admin
/// never sees where another's notifications go; a viewer has none. A read-only token reads. The scope comes from
/// <see cref="ITenantAccess"/> on each call, so a changed role or assignment counts at once.
/// </summary>
public sealed partial class NotificationService(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    ITenantAccess access,
    IExistingTenants tenants,
    EndpointSecrets secrets,
    IMailSender mail,
    NotificationDispatcher dispatcher,
    IOptionsMonitor<NotificationOptions> options,
    TimeProvider time,
    ILogger<NotificationService> logger)
{
    public const int MaxDeliveries = 200;

    /// <summary>Whether plain http:// is allowed to any host, for the page's own check of an address as it is typed.</summary>
    public bool AllowHttp => options.CurrentValue.AllowHttp;

    /// <summary>Whether webhooks may go to private network addresses, for the same check.</summary>
    public bool AllowPrivateNetworks => options.CurrentValue.AllowPrivateNetworks;

    /// <summary>Whether the portal can send mail, so e-mail endpoints can be made.</summary>
    public bool CanMail => mail.CanSend;

    /// <summary>Whether <paramref name="user"/> may see the notifications at all, and change them.</summary>
    public async Task<(bool Read, bool Write, bool AllTenants)> PermissionsAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var scope = await access.GetScopeAsync(user, ct);
        var read = MayRead(user, scope);
        return (read, read && scope.CanWrite, scope.AllTenants);
    }

    public async Task<IReadOnlyList<EndpointView>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var caller = await CallerAsync(user, write: false, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoints = await db.NotificationEndpoints.AsNoTracking().Include(e => e.Tenants).OrderBy(e => e.Name).ThenBy(e => e.Id).ToListAsync(ct);
        return [.. endpoints.Where(e => Visible(e, caller.Scope)).Select(View)];
    }

    public async Task<EndpointView?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        var caller = await CallerAsync(user, write: false, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await FindAsync(db, id, caller, tracking: false, ct) is { } endpoint ? View(endpoint) : null;
    }

    /// <summary>Creates an endpoint; a webhook with a new signing secret, returned here once and never again.</summary>
    public async Task<EndpointSaveResult> CreateAsync(ClaimsPrincipal user, EndpointInput input, CancellationToken ct = default)
    {
        var caller = await CallerAsync(user, write: true, ct);
        if (await ValidateAsync(input, caller, ct) is { Count: > 0 } errors)
        {
            return new EndpointSaveResult.Invalid(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var channel = input.Channel ?? NotificationChannel.Webhook;
        var (secret, protectedSecret) = channel == NotificationChannel.Webhook ? secrets.Create() : (null, "");
        var endpoint = new NotificationEndpoint { Id = Guid.CreateVersion7(), Channel = channel, CreatedAt = now, CreatedBy = caller.Actor, ProtectedSecret = protectedSecret };
        Apply(endpoint, input, now);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.NotificationEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        LogChanged(logger, endpoint.Id, endpoint.Name, "created", caller.Actor);
        return new EndpointSaveResult.Saved(new SavedEndpoint(View(endpoint), secret));
    }

    /// <summary>Replaces the endpoint's settings; with <see cref="EndpointInput.RotateSecret"/>, its secret too, the new one returned once.</summary>
    public async Task<EndpointSaveResult> UpdateAsync(ClaimsPrincipal user, Guid id, EndpointInput input, CancellationToken ct = default)
    {
        var caller = await CallerAsync(user, write: true, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindAsync(db, id, caller, tracking: true, ct) is not { } endpoint)
        {
            return new EndpointSaveResult.NotFound();
        }

        if (input.Channel is { } channel && channel != endpoint.Channel)
        {
            return new EndpointSaveResult.Invalid(new Dictionary<string, string[]>
            {
                ["channel"] = [$"This endpoint sends by {NotificationEvents.Label(endpoint.Channel)}, which cannot be changed; make a new endpoint instead."],
            });
        }

        // The address is never shown, so a change that leaves it out keeps it; when the kept one will not do, the message
        // says so, since the caller cannot see it.
        var keeps = endpoint.Channel == NotificationChannel.Webhook && string.IsNullOrWhiteSpace(input.Url);
        var kept = keeps ? KeptUrl(endpoint) : null;
        if (kept is not null)
        {
            input = input with { Url = kept };
        }

        if (await ValidateAsync(input with { Channel = endpoint.Channel }, caller, ct) is { Count: > 0 } errors)
        {
            if (keeps && errors.TryGetValue("url", out var refused))
            {
                errors["url"] = [kept is null
                    ? "The current address can no longer be read: the Data Protection key it was encrypted with is gone. Enter the address again."
                    : $"The current address ({EndpointSecrets.Shown(kept)}) is no longer allowed. {refused[0]} Enter a new one."];
            }

            return new EndpointSaveResult.Invalid(errors);
        }

        string? secret = null;
        if (input.RotateSecret && endpoint.Channel == NotificationChannel.Webhook)
        {
            (secret, endpoint.ProtectedSecret) = secrets.Create();
        }

        Apply(endpoint, input, time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        LogChanged(logger, endpoint.Id, endpoint.Name, input.RotateSecret ? "changed, with a new secret," : "changed", caller.Actor);
        return new EndpointSaveResult.Saved(new SavedEndpoint(View(endpoint), secret));
    }

    /// <summary>Deletes the endpoint with its deliveries, those waiting to be sent included; false when there is none in scope.</summary>
    public async Task<bool> DeleteAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        var caller = await CallerAsync(user, write: true, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindAsync(db, id, caller, tracking: true, ct) is not { } endpoint)
        {
            return false;
        }

        db.NotificationEndpoints.Remove(endpoint);
        await db.SaveChangesAsync(ct);
        LogChanged(logger, endpoint.Id, endpoint.Name, "deleted", caller.Actor);
        return true;
    }

    /// <summary>
    /// Sends a test event to the endpoint now, once, whether it is enabled or not, and answers how it went (also in the
    /// delivery log); null when there is no such endpoint in scope.
    /// </summary>
    public async Task<DeliveryView?> SendTestAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        var caller = await CallerAsync(user, write: true, ct);
        var now = time.GetUtcNow().UtcDateTime;
        NotificationDelivery delivery;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (await FindAsync(db, id, caller, tracking: false, ct) is not { } endpoint)
            {
                return null;
            }

            var test = NotificationOutbox.Test(
                $"A test sent by {caller.Actor} from SplitCcp's Notifications page, to check that this endpoint receives notifications. Nothing happened to any tenant.", now);
            delivery = NotificationDispatcher.Pending(test.Id, endpoint.Id, now);

            // Held by this process while it sends, as a claimed delivery: the worker takes it only if this process stops first.
            delivery.ClaimedBy = dispatcher.Owner;
            delivery.LeaseUntil = now + options.CurrentValue.Timeout + TimeSpan.FromMinutes(1);
            db.NotificationEvents.Add(test);
            db.NotificationDeliveries.Add(delivery);
            await db.SaveChangesAsync(ct);
            delivery.Event = test;
            delivery.Endpoint = endpoint;
        }

        return await dispatcher.AttemptAsync(delivery, lastAttempt: true, ct);
    }

    /// <summary>The delivery log of the endpoints the caller sees (or of one of them), newest first.</summary>
    public async Task<IReadOnlyList<DeliveryView>> ListDeliveriesAsync(ClaimsPrincipal user, Guid? endpointId = null, int take = 50, CancellationToken ct = default)
    {
        var caller = await CallerAsync(user, write: false, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = (await db.NotificationEndpoints.AsNoTracking().Include(e => e.Tenants).ToListAsync(ct))
            .Where(e => Visible(e, caller.Scope) && (endpointId is null || e.Id == endpointId)).Select(e => e.Id).ToList();
        var deliveries = await NotificationDispatcher.WithEventAndEndpoint(db.NotificationDeliveries)
            .Where(d => visible.Contains(d.EndpointId))
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(Math.Clamp(take, 1, MaxDeliveries))
            .ToListAsync(ct);
        return [.. deliveries.Select(d => new DeliveryView(d.Id, d.EventId, d.Event!.Kind, d.Event.TenantId, d.Event.TenantName, d.EndpointId, d.Endpoint!.Name,
            d.State, d.Attempts, d.LastStatusCode, d.LastResponse, d.LastError, d.CreatedAt, d.LastAttemptAt, d.NextAttemptAt))];
    }

    /// <summary>Every endpoint for a caller who sees every tenant; otherwise one that chose tenants, all of them the caller's.</summary>
    internal static bool Visible(NotificationEndpoint endpoint, TenantScope scope) =>
        scope.AllTenants || (!endpoint.AllTenants && endpoint.Tenants.Count > 0 && endpoint.Tenants.All(t => scope.TenantIds.Contains(t.TenantId)));

    private static bool MayRead(ClaimsPrincipal user, TenantScope scope) =>
        scope.AllTenants || (scope.UserId is not null && user.IsInRole(Roles.TenantAdmin));

    private async Task<Caller> CallerAsync(ClaimsPrincipal user, bool write, CancellationToken ct)
    {
        var scope = await access.GetScopeAsync(user, ct);
        if (!MayRead(user, scope))
        {
            throw new NotificationAccessDeniedException("Notifications are for MSP operators and tenant admins.");
        }

        if (write && !scope.CanWrite)
        {
            throw new NotificationAccessDeniedException(user.HasClaim(SplitCcpClaims.ReadOnly, "true")
                ? "This API token is read-only."
                : "You may read the notification endpoints but not change them.");
        }

        return new Caller(scope, AuditLog.ActorOf(user));
    }

    private static async Task<NotificationEndpoint?> FindAsync(SplitCcpDbContext db, Guid id, Caller caller, bool tracking, CancellationToken ct)
    {
        var query = tracking ? db.NotificationEndpoints : db.NotificationEndpoints.AsNoTracking();
        var endpoint = await query.Include(e => e.Tenants).SingleOrDefaultAsync(e => e.Id == id, ct);
        return endpoint is not null && Visible(endpoint, caller.Scope) ? endpoint : null;
    }

    private async Task<Dictionary<string, string[]>> ValidateAsync(EndpointInput input, Caller caller, CancellationToken ct)
    {
        var errors = NotificationRules.Validate(input, options.CurrentValue.AllowHttp, caller.Scope, mail.CanSend, options.CurrentValue.AllowPrivateNetworks);
        if (!errors.ContainsKey("tenantIds") && !input.AllTenants)
        {
            var chosen = input.TenantIds!.Distinct().ToList();
            var found = await tenants.WhichExistAsync(chosen, ct);
            if (chosen.FirstOrDefault(id => !found.Contains(id)) is var missing && missing != Guid.Empty)
            {
                errors["tenantIds"] = [$"There is no tenant {missing}."];
            }
        }

        return errors;
    }

    /// <summary>The endpoint's address, or null when the key it was encrypted with is gone (the change must then give it again).</summary>
    private string? KeptUrl(NotificationEndpoint endpoint)
    {
        try
        {
            return secrets.UrlOf(endpoint);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private void Apply(NotificationEndpoint endpoint, EndpointInput input, DateTime now)
    {
        endpoint.Name = input.Name!.Trim();
        if (endpoint.Channel == NotificationChannel.Email)
        {
            endpoint.Url = NotificationEndpoint.MailtoPrefix + string.Join(',', input.Recipients!.Select(r => r.Trim()));
            endpoint.Format = WebhookFormat.GenericJson;
        }
        else
        {
            var url = input.Url!.Trim();
            endpoint.Url = EndpointSecrets.Shown(url);
            endpoint.ProtectedUrl = secrets.ProtectUrl(url);
            endpoint.Format = input.Format!.Value;
        }

        endpoint.Events = [.. NotificationEvents.Choosable.Where(input.Events!.Contains)];
        endpoint.AllTenants = input.AllTenants;
        var chosen = input.AllTenants ? [] : input.TenantIds!.ToHashSet();
        endpoint.Tenants.RemoveAll(t => !chosen.Contains(t.TenantId));
        endpoint.Tenants.AddRange(chosen.Where(id => endpoint.Tenants.All(t => t.TenantId != id))
            .Select(id => new NotificationEndpointTenant { EndpointId = endpoint.Id, TenantId = id }));
        endpoint.Enabled = input.Enabled;
        endpoint.UpdatedAt = now;
    }

    /// <summary>The endpoint as it may be shown: a webhook's address with its path hidden, even one stored before addresses were encrypted.</summary>
    private static EndpointView View(NotificationEndpoint e) => new(
        e.Id, e.Name, e.Channel, e.Channel == NotificationChannel.Webhook ? EndpointSecrets.Shown(e.Url) : e.Url, e.Recipients, e.Format, e.Events, e.AllTenants, [.. e.Tenants.Select(t => t.TenantId)], e.Enabled, e.CreatedAt, e.CreatedBy, e.UpdatedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification endpoint {EndpointId} ({EndpointName}) {Change} by {Actor}.")]
    private static partial void LogChanged(ILogger logger, Guid endpointId, string endpointName, string change, string actor);

    private sealed record Caller(TenantScope Scope, string Actor);
}
