using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>An identity event as the Activity page and the API show it.</summary>
public sealed record IdentityEventRecord(
    long Id, DateTime At, IdentityEventKind Kind, string? ActorId, string Actor, string? SubjectId, string? Subject, string? RemoteAddress, string Summary);

/// <summary>Which events to list: of one kind, by or about one user (every one when null), and the page to show, newest first.</summary>
public sealed record IdentityEventQuery(IdentityEventKind? Kind = null, string? UserId = null, int Page = 1, int PageSize = 50)
{
    public const int MaxPageSize = 200;
}

/// <summary>One page of the identity activity, with how many events the filters match in all.</summary>
public sealed record IdentityEventPage(IReadOnlyList<IdentityEventRecord> Items, int Total, int Page, int PageSize);

/// <summary>
/// The identity activity: who signed in or failed to, who created or changed which user, who issued or revoked which
/// token, when and from where. Changes record their events in the save that makes them; MSP operators read them.
/// </summary>
public sealed partial class IdentityAudit(IDbContextFactory<SplitCcpDbContext> dbFactory, TimeProvider time, ILogger<IdentityAudit> logger)
{
    private static readonly Expression<Func<IdentityEvent, IdentityEventRecord>> s_record =
        e => new IdentityEventRecord(e.Id, e.At, e.Kind, e.ActorId, e.Actor, e.SubjectId, e.Subject, e.RemoteAddress, e.Summary);

    /// <summary>Only an MSP operator reads the activity: it concerns every account of the portal.</summary>
    public static bool CanRead(TenantScope scope) => scope.AllTenants;

    /// <summary>A new event, to add to a context that saves it together with the change it records.</summary>
    public IdentityEvent Entry(IdentityEventKind kind, IdentityActor actor, string? subjectId, string? subject, string summary) => new()
    {
        At = time.GetUtcNow().UtcDateTime,
        Kind = kind,
        ActorId = actor.UserId,
        Actor = actor.Name,
        SubjectId = subjectId,
        Subject = subject,
        RemoteAddress = actor.RemoteAddress,
        Summary = summary,
    };

    /// <summary>Adds an event about the user <paramref name="subjectId"/>, named by their e-mail now, to be saved with <paramref name="db"/>'s change.</summary>
    public async Task AddAsync(SplitCcpDbContext db, IdentityEventKind kind, IdentityActor actor, string subjectId, string summary, CancellationToken ct)
    {
        var email = await db.Users.Where(u => u.Id == subjectId).Select(u => u.Email).SingleOrDefaultAsync(ct);
        db.IdentityEvents.Add(Entry(kind, actor, subjectId, email, summary));
    }

    /// <summary>Saves events that go with no change of the portal's own, such as a sign-in.</summary>
    public async Task RecordAsync(IEnumerable<IdentityEvent> events, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.IdentityEvents.AddRange(events);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Saves the events of a sign-in, or logs that they could not be when the database cannot be written: a sign-in that
    /// changes nothing is not stopped by storage that refuses writes.
    /// </summary>
    public async Task RecordSignInAsync(IEnumerable<IdentityEvent> events, CancellationToken ct = default)
    {
        try
        {
            await RecordAsync(events, ct);
        }
        catch (Exception ex) when (StorageFault.From(ex) is { } fault)
        {
            LogSignInNotRecorded(logger, fault.Cause);
        }
    }

    /// <summary>One page of the events the filters match, newest first; nothing for a caller who is not an MSP operator.</summary>
    public async Task<IdentityEventPage> ListAsync(TenantScope scope, IdentityEventQuery query, CancellationToken ct = default)
    {
        var page = Math.Max(1, query.Page);
        var pageSize = Math.Clamp(query.PageSize, 1, IdentityEventQuery.MaxPageSize);
        if (!CanRead(scope))
        {
            return new IdentityEventPage([], 0, page, pageSize);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = Filtered(db, query);
        var total = await events.CountAsync(ct);
        var items = await events.OrderByDescending(e => e.Id).Skip((page - 1) * pageSize).Take(pageSize).Select(s_record).ToListAsync(ct);
        return new IdentityEventPage(items, total, page, pageSize);
    }

    /// <summary>Every event the filters match (the query's page aside), newest first, read in batches as it is written out.</summary>
    public async IAsyncEnumerable<IdentityEventRecord> ExportAsync(TenantScope scope, IdentityEventQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (!CanRead(scope))
        {
            yield break;
        }

        await foreach (var record in Batches.ReadAsync((before, token) => ListBeforeAsync(query, before, token), e => e.Id, IdentityEventQuery.MaxPageSize, ct))
        {
            yield return record;
        }
    }

    private async Task<IReadOnlyList<IdentityEventRecord>> ListBeforeAsync(IdentityEventQuery query, long? before, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = Filtered(db, query);
        if (before is { } id)
        {
            events = events.Where(e => e.Id < id);
        }

        return await events.OrderByDescending(e => e.Id).Take(IdentityEventQuery.MaxPageSize).Select(s_record).ToListAsync(ct);
    }

    private static IQueryable<IdentityEvent> Filtered(SplitCcpDbContext db, IdentityEventQuery query)
    {
        var events = db.IdentityEvents.AsNoTracking();
        if (query.Kind is { } kind)
        {
            events = events.Where(e => e.Kind == kind);
        }

        if (query.UserId is { Length: > 0 } userId)
        {
            events = events.Where(e => e.ActorId == userId || e.SubjectId == userId);
        }

        return events;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A sign-in could not be recorded in the identity activity: the database cannot be written ({Cause}).")]
    private static partial void LogSignInNotRecorded(ILogger logger, string cause);
}
