using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// Sends the outbox. Each event is fanned out once, into a delivery per endpoint that hears it, by whichever portal marks
/// it first (a compare-and-set on <see cref="NotificationEvent.FannedOutAt"/>, in the transaction that adds the
/// deliveries). Each due delivery is claimed before it is sent (an owner and a lease, in one statement that on PostgreSQL
/// skips the rows another replica is claiming, <c>FOR UPDATE SKIP LOCKED</c>), so replicas on one database never send one
/// delivery at once; only the claim's owner records the attempt. A timeout, an unreachable endpoint, a 5xx or a 429 is
/// tried again after a wait that doubles each time, less up to half at random, until <see cref="NotificationOptions.MaxAttempts"/>;
/// any other answer is final. Neither the secret nor the signature is ever logged, nor the URL, which for Slack and Teams
/// is itself a credential.
/// </summary>
public sealed partial class NotificationDispatcher(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    IEnumerable<INotificationChannel> channels,
    IOptions<StorageOptions> storage,
    IOptionsMonitor<NotificationOptions> options,
    TimeProvider time,
    ILogger<NotificationDispatcher> logger)
{
    private const int EventBatch = 100;
    private const int DeliveryBatch = 32;
    private const int MaxBatches = 10;
    private const int Parallelism = 8;

    // The rows a claim takes, {0} being now: due, and held by no live claim.
    private const string Due = """d."State" = 'Pending' AND d."NextAttemptAt" <= {0} AND (d."LeaseUntil" IS NULL OR d."LeaseUntil" < {0})""";

    // {0} now. Whether there is anything to do, in one read: a round with nothing to do costs no more.
    private const string WorkSql = $$"""
        SELECT EXISTS (SELECT 1 FROM "NotificationEvents" AS e WHERE e."FannedOutAt" IS NULL) AS "Events",
            EXISTS (SELECT 1 FROM "NotificationDeliveries" AS d WHERE {{Due}}) AS "Deliveries"
        """;

    // {0} now, {1} how many; {lock} as in Locking. The tenant's name is kept as it is now, for when it is gone.
    private const string FanOutSql = """
        WITH pending AS (
            SELECT e."Id" FROM "NotificationEvents" AS e
            WHERE e."FannedOutAt" IS NULL
            ORDER BY e."OccurredAt"
            LIMIT {1}
            {lock}
        )
        UPDATE "NotificationEvents" SET "FannedOutAt" = {0},
            "TenantName" = COALESCE((SELECT t."DisplayName" FROM "Tenants" AS t WHERE t."Id" = "NotificationEvents"."TenantId"), "TenantName"),
            "TenantSlug" = COALESCE((SELECT t."Slug" FROM "Tenants" AS t WHERE t."Id" = "NotificationEvents"."TenantId"), "TenantSlug")
        WHERE "Id" IN (SELECT "Id" FROM pending) AND "FannedOutAt" IS NULL
        RETURNING "Id" AS "Value"
        """;

    // {0} now, {1} how many, {2} owner, {3} lease end; {lock} as in Locking.
    private const string ClaimSql = $$"""
        WITH due AS (
            SELECT d."Id" FROM "NotificationDeliveries" AS d
            WHERE {{Due}}
            ORDER BY d."NextAttemptAt"
            LIMIT {1}
            {lock}
        )
        UPDATE "NotificationDeliveries" SET "ClaimedBy" = {2}, "LeaseUntil" = {3}
        WHERE "Id" IN (SELECT "Id" FROM due)
        RETURNING "Id" AS "Value"
        """;

    /// <summary>This process as the owner of the deliveries it sends: machine, process and a random part.</summary>
    public string Owner { get; } = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}");

    /// <summary>How long a claim holds: longer than an attempt may take, so only a process that stopped lets it lapse.</summary>
    private TimeSpan Lease => options.CurrentValue.Timeout + TimeSpan.FromMinutes(1);

    /// <summary>Fans out the events not fanned out yet, then sends the deliveries that are due; answers how many attempts it made.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var work = await WorkAsync(ct);
        if (work.Events)
        {
            await FanOutAsync(ct);
        }
        else if (!work.Deliveries)
        {
            return 0;
        }

        var attempts = 0;
        for (var batch = 0; batch < MaxBatches; batch++)
        {
            var claimed = await ClaimAsync(ct);
            await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
                async (delivery, token) => await AttemptAsync(delivery, lastAttempt: false, token));
            attempts += claimed.Count;
            if (claimed.Count < DeliveryBatch)
            {
                break;
            }
        }

        return attempts;
    }

    /// <summary>
    /// Sends a delivery this process holds the claim of, once, and records how it went; with <paramref name="lastAttempt"/>
    /// (a test the operator waits for) a failure is final. Answers the delivery as the log shows it.
    /// </summary>
    internal async Task<DeliveryView> AttemptAsync(NotificationDelivery delivery, bool lastAttempt, CancellationToken ct)
    {
        var endpoint = delivery.Endpoint!;
        var notification = Notification.Of(delivery.Event!, delivery.Id, options.CurrentValue.PortalUrl);
        DeliveryAttempt attempt;
        try
        {
            attempt = await channels.Single(c => c.Channel == endpoint.Channel).SendAsync(endpoint, notification, ct);
        }
#pragma warning disable CA1031 // One endpoint's unexpected failure is recorded on its delivery and must not stop the others.
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogSendCrashed(logger, ex, delivery.Id, endpoint.Id);
            attempt = new DeliveryAttempt(AttemptOutcome.RetryLater, null, null, "The delivery could not be sent; see the server log.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var attempts = delivery.Attempts + 1;
        var maxAttempts = options.CurrentValue.MaxAttempts;
        var retry = attempt.Outcome == AttemptOutcome.RetryLater && !lastAttempt && attempts < maxAttempts;
        var state = attempt.Outcome == AttemptOutcome.Delivered ? DeliveryState.Delivered : retry ? DeliveryState.Pending : DeliveryState.Failed;
        DateTime? next = retry ? now + Backoff(attempts, attempt.RetryAfter) : null;
        var error = attempt.Outcome == AttemptOutcome.RetryLater && !retry && !lastAttempt
            ? $"{attempt.Error} Gave up after {attempts} attempts."
            : attempt.Error;
        var response = attempt.Response.Clip(NotificationDelivery.ResponseLength);
        error = error.Clip();
        DateTime? finished = state == DeliveryState.Pending ? null : now;

        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var recorded = await db.WriteAsync(token => db.NotificationDeliveries
            .Where(d => d.Id == delivery.Id && d.ClaimedBy == Owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, state)
                .SetProperty(d => d.Attempts, attempts)
                .SetProperty(d => d.NextAttemptAt, next)
                .SetProperty(d => d.LastAttemptAt, now)
                .SetProperty(d => d.LastStatusCode, attempt.StatusCode)
                .SetProperty(d => d.LastResponse, response)
                .SetProperty(d => d.LastError, error)
                .SetProperty(d => d.LeaseUntil, (DateTime?)null)
                .SetProperty(d => d.FinishedAt, finished), token), CancellationToken.None);
        if (recorded == 0)
        {
            LogClaimLost(logger, delivery.Id);
        }
        else if (state == DeliveryState.Delivered)
        {
            LogDelivered(logger, delivery.Id, delivery.Event!.Kind, endpoint.Id, endpoint.Name, attempt.StatusCode);
        }
        else
        {
            LogNotDelivered(logger, delivery.Id, delivery.Event!.Kind, endpoint.Id, endpoint.Name, attempts, error, state == DeliveryState.Pending);
        }

        return new DeliveryView(delivery.Id, delivery.EventId, delivery.Event!.Kind, delivery.Event.TenantId, delivery.Event.TenantName, endpoint.Id, endpoint.Name,
            state, attempts, attempt.StatusCode, response, error, delivery.CreatedAt, now, next);
    }

    /// <summary>
    /// Lets go of what the log no longer keeps: deliveries finished before the retention, and events none of whose
    /// deliveries are left. With nothing to let go of it writes nothing, as every replica prunes at start and hourly.
    /// </summary>
    public async Task PruneAsync(CancellationToken ct)
    {
        var cutOff = time.GetUtcNow().UtcDateTime - options.CurrentValue.LogRetention;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deliveries = db.NotificationDeliveries.Where(d => d.FinishedAt != null && d.FinishedAt < cutOff);
        if (await deliveries.AnyAsync(ct))
        {
            await db.WriteAsync(deliveries.ExecuteDeleteAsync, ct);
        }

        var events = db.NotificationEvents
            .Where(e => e.FannedOutAt != null && e.FannedOutAt < cutOff && !db.Set<NotificationDelivery>().Any(d => d.EventId == e.Id));
        if (await events.AnyAsync(ct))
        {
            await db.WriteAsync(events.ExecuteDeleteAsync, ct);
        }
    }

    /// <summary>The wait before attempt <paramref name="attempts"/> + 1: doubling from the first, capped, less up to half at random; at least what a 429 asked.</summary>
    internal TimeSpan Backoff(int attempts, TimeSpan? retryAfter)
    {
        var settings = options.CurrentValue;
        var doubled = settings.RetryDelay * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = doubled < settings.MaxRetryDelay ? doubled : settings.MaxRetryDelay;
        var wait = capped * (0.5 + (Random.Shared.NextDouble() / 2));
        return retryAfter is { } asked && asked > wait ? (asked < settings.MaxRetryDelay ? asked : settings.MaxRetryDelay) : wait;
    }

    private async Task<Work> WorkAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await db.Database.SqlQueryRaw<Work>(WorkSql, time.GetUtcNow().UtcDateTime).ToListAsync(ct))[0];
    }

    /// <summary>Fans out the events not fanned out yet, a batch to a transaction, with the endpoints as they are at the start.</summary>
    private async Task FanOutAsync(CancellationToken ct)
    {
        List<NotificationEndpoint> endpoints;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            endpoints = await db.NotificationEndpoints.AsNoTracking().Include(e => e.Tenants).Where(e => e.Enabled).ToListAsync(ct);
        }

        for (var batch = 0; batch < MaxBatches; batch++)
        {
            try
            {
                if (await FanOutBatchAsync(endpoints, ct) < EventBatch)
                {
                    return;
                }
            }
            catch (DbUpdateException ex) when (StorageFault.From(ex) is null)
            {
                // An endpoint deleted meanwhile: the batch waits for the next round, which reads the endpoints again.
                LogFanOutFailed(logger, ex);
                return;
            }
        }
    }

    /// <summary>
    /// Marks a batch of events fanned out and adds their deliveries, together; events another portal is marking are left to
    /// it. Answers how many it marked.
    /// </summary>
    private async Task<int> FanOutBatchAsync(List<NotificationEndpoint> endpoints, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.WriteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var ids = await db.WriteAsync(inner => db.Database.SqlQueryRaw<Guid>(Locking(FanOutSql, "e"), now, EventBatch).ToListAsync(inner), token);
            if (ids.Count == 0)
            {
                return 0;
            }

            var events = await db.NotificationEvents.AsNoTracking().Where(e => ids.Contains(e.Id)).Select(e => new { e.Id, e.Kind, e.TenantId }).ToListAsync(token);
            foreach (var e in events)
            {
                db.NotificationDeliveries.AddRange(endpoints.Where(x => x.Hears(e.Kind, e.TenantId)).Select(x => Pending(e.Id, x.Id, now)));
            }

            await db.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            return ids.Count;
        }, ct);
    }

    /// <summary>A delivery due now.</summary>
    internal static NotificationDelivery Pending(Guid eventId, Guid endpointId, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        EventId = eventId,
        EndpointId = endpointId,
        State = DeliveryState.Pending,
        NextAttemptAt = now,
        CreatedAt = now,
    };

    /// <summary>Claims up to a batch of due deliveries for this process, oldest due first, with their events and endpoints.</summary>
    private async Task<List<NotificationDelivery>> ClaimAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var ids = await db.WriteAsync(token => db.Database.SqlQueryRaw<Guid>(Locking(ClaimSql, "d"), now, DeliveryBatch, Owner, now + Lease).ToListAsync(token), ct);
        return ids.Count == 0 ? [] : await WithEventAndEndpoint(db.NotificationDeliveries).Where(d => ids.Contains(d.Id)).ToListAsync(ct);
    }

    /// <summary>
    /// <paramref name="sql"/> with its <c>{lock}</c> filled: on PostgreSQL, locking the rows of <paramref name="alias"/> it
    /// takes and skipping those another replica holds; on SQLite, written by one process, nothing.
    /// </summary>
    private string Locking(string sql, string alias) =>
        sql.Replace("{lock}", storage.Value.Engine == StorageProvider.PostgreSql ? $"FOR UPDATE OF {alias} SKIP LOCKED" : "", StringComparison.Ordinal);

    internal static IQueryable<NotificationDelivery> WithEventAndEndpoint(IQueryable<NotificationDelivery> deliveries) =>
        deliveries.AsNoTracking().Include(d => d.Event).Include(d => d.Endpoint).ThenInclude(e => e!.Tenants);

    /// <summary>Whether events wait to be fanned out, and whether deliveries are due.</summary>
    private sealed class Work
    {
        public bool Events { get; init; }

        public bool Deliveries { get; init; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification delivery {DeliveryId} ({Event}) to endpoint {EndpointId} ({EndpointName}) delivered: {StatusCode}.")]
    private static partial void LogDelivered(ILogger logger, Guid deliveryId, NotificationEventKind @event, Guid endpointId, string endpointName, int? statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification delivery {DeliveryId} ({Event}) to endpoint {EndpointId} ({EndpointName}) failed, attempt {Attempts}: {Error} Retrying: {Retrying}.")]
    private static partial void LogNotDelivered(ILogger logger, Guid deliveryId, NotificationEventKind @event, Guid endpointId, string endpointName, int attempts, string? error, bool retrying);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification delivery {DeliveryId} to endpoint {EndpointId} stopped on an unexpected error.")]
    private static partial void LogSendCrashed(ILogger logger, Exception exception, Guid deliveryId, Guid endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification delivery {DeliveryId} was sent, but this process no longer held its claim (it stalled past its lease), so another one records it.")]
    private static partial void LogClaimLost(ILogger logger, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification events could not be fanned out now; the next round tries again.")]
    private static partial void LogFanOutFailed(ILogger logger, Exception exception);
}
