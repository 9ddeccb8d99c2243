using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// A state change AWS makes on its own some time after a call (an instance becoming ACTIVE, a fleet RUNNING): stored with
/// the object, applied when the object is next read at or after <see cref="At"/>, so it survives restarts.
/// </summary>
internal sealed record SandboxPending(string Field, string To, DateTimeOffset At)
{
    public const string PropertyName = "pending";

    public static SandboxPending After(string field, string to, DateTimeOffset now, TimeSpan delay) => new(field, to, now + delay);
}

/// <summary>
/// Reads and writes a tenant's <see cref="SandboxObject"/> rows. Each call runs in one <see cref="SandboxSession"/> under the
/// tenant's lock, so a check-then-write (alias uniqueness, the five-version limit) is atomic, and its changes are saved
/// together at the end or, when it throws, not at all. The tenant's starting world is seeded on first use.
/// </summary>
public sealed class SandboxStore(IDbContextFactory<SplitCcpDbContext> dbFactory, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();
    private readonly ConcurrentDictionary<Guid, bool> _seeded = new();

    internal async Task<T> RunAsync<T>(Guid tenantId, AwsOperation? operation, string? resource, Func<SandboxSession, Task<T>> act, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(tenantId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);

            // One connection for the whole call: EF would otherwise open and set one up for each of its queries.
            await db.Database.OpenConnectionAsync(ct);
            var session = new SandboxSession(db, tenantId, time.GetUtcNow(), operation, resource, ct);
            if (!_seeded.ContainsKey(tenantId))
            {
                await SandboxSeed.EnsureSeededAsync(session);
                await db.SaveChangesAsync(ct);
                _seeded[tenantId] = true;
            }

            var result = await act(session);
            await db.SaveChangesAsync(ct);
            return result;
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>One call's view of a tenant's Sandbox: typed objects in and out, changes saved when the call succeeds.</summary>
internal sealed class SandboxSession(SplitCcpDbContext db, Guid tenantId, DateTimeOffset now, AwsOperation? operation, string? resource, CancellationToken ct)
{
    /// <summary>camelCase, as <see cref="SandboxKinds"/> names the fields; absent values (no pending transition) left out.</summary>
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// The session's queries, compiled once per engine's context type: a compiled query keeps the model it first ran with,
    /// and each engine has a model of its own.
    /// </summary>
    private static class Compiled<TContext>
        where TContext : SplitCcpDbContext
    {
        /// <summary>A row by its key, compiled once: FindAsync compiles its key expression again on every call.</summary>
        public static readonly Func<TContext, Guid, string, string, CancellationToken, Task<SandboxObject?>> ByKey =
            EF.CompileAsyncQuery((TContext db, Guid tenantId, string kind, string id, CancellationToken ct) =>
                db.Set<SandboxObject>().FirstOrDefault(o => o.TenantId == tenantId && o.Kind == kind && o.Id == id));

        public static readonly Func<TContext, Guid, string, IAsyncEnumerable<SandboxObject>> OfKind =
            EF.CompileAsyncQuery((TContext db, Guid tenantId, string kind) => db.Set<SandboxObject>().Where(o => o.TenantId == tenantId && o.Kind == kind));
    }

    private Task<SandboxObject?> ByKeyAsync(string kind, string id) => db switch
    {
        PostgreSqlSplitCcpDbContext server => Compiled<PostgreSqlSplitCcpDbContext>.ByKey(server, tenantId, kind, id, ct),
        _ => Compiled<SqliteSplitCcpDbContext>.ByKey((SqliteSplitCcpDbContext)db, tenantId, kind, id, ct),
    };

    private IAsyncEnumerable<SandboxObject> OfKind(string kind) => db switch
    {
        PostgreSqlSplitCcpDbContext server => Compiled<PostgreSqlSplitCcpDbContext>.OfKind(server, tenantId, kind),
        _ => Compiled<SqliteSplitCcpDbContext>.OfKind((SqliteSplitCcpDbContext)db, tenantId, kind),
    };

    public Guid TenantId => tenantId;

    public DateTimeOffset Now => now;

    public string AccountId { get; } = SandboxAccount.AccountIdFor(tenantId);

    public async Task<TenantView> GetTenantAsync() =>
        TenantView.From(await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, ct)
            ?? throw new InvalidOperationException($"Tenant {tenantId} does not exist, so it has no Sandbox account."));

    public async Task<T?> GetAsync<T>(string kind, string id)
        where T : class
    {
        var row = await FindAsync(kind, id);
        return row is null ? null : Read<T>(row);
    }

    /// <summary>The objects of a kind, oldest first, optionally only those whose ID starts with <paramref name="idPrefix"/>.</summary>
    public async Task<IReadOnlyList<T>> ListAsync<T>(string kind, string? idPrefix = null)
        where T : class =>
        [.. (await RowsAsync(kind, idPrefix)).Select(Read<T>)];

    /// <summary>The object, or the AWS error the call answers when it does not exist.</summary>
    public async Task<T> RequireAsync<T>(string kind, string id, string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest)
        where T : class =>
        await GetAsync<T>(kind, id) ?? throw Fail(code, message, status);

    public async Task<bool> ExistsAsync(string kind, string id) => await FindAsync(kind, id) is not null;

    public async Task PutAsync<T>(string kind, string id, T value)
    {
        var json = JsonSerializer.Serialize(value, s_json);
        var row = await TrackedOrStoredAsync(kind, id);
        if (row is null)
        {
            db.SandboxObjects.Add(new SandboxObject { TenantId = tenantId, Kind = kind, Id = id, Json = json, CreatedAt = now.UtcDateTime, UpdatedAt = now.UtcDateTime });
            return;
        }

        if (db.Entry(row).State == EntityState.Deleted)
        {
            db.Entry(row).State = EntityState.Modified;
            row.CreatedAt = now.UtcDateTime;
        }

        row.Json = json;
        row.UpdatedAt = now.UtcDateTime;
    }

    public async Task<bool> DeleteAsync(string kind, string id)
    {
        var row = await FindAsync(kind, id);
        if (row is not null)
        {
            db.SandboxObjects.Remove(row);
        }

        return row is not null;
    }

    public async Task DeleteWhereAsync(string kind, Func<string, bool> idMatches)
    {
        foreach (var row in (await RowsAsync(kind, null)).Where(r => idMatches(r.Id)))
        {
            db.SandboxObjects.Remove(row);
        }
    }

    /// <summary>Sets one field of the stored JSON, as the console would; a pending transition of that field is dropped.</summary>
    public async Task<bool> AlterAsync(string kind, string id, string field, JsonNode? value)
    {
        var row = await FindAsync(kind, id);
        if (row is null)
        {
            return false;
        }

        Settle(row);
        var json = JsonNode.Parse(row.Json)!.AsObject();
        json[field] = value;
        if (json[SandboxPending.PropertyName]?.Deserialize<SandboxPending>(s_json) is { } pending && pending.Field == field)
        {
            json.Remove(SandboxPending.PropertyName);
        }

        row.Json = json.ToJsonString(s_json);
        row.UpdatedAt = now.UtcDateTime;
        return true;
    }

    /// <summary>Every object of the tenant (or of one kind) as stored, pending transitions that are due applied.</summary>
    public async Task<IReadOnlyList<SandboxObject>> RawAsync(string? kind)
    {
        var query = db.SandboxObjects.Where(o => o.TenantId == tenantId && o.Kind != SandboxSeed.MarkerKind);
        if (kind is not null)
        {
            query = query.Where(o => o.Kind == kind);
        }

        var rows = await query.OrderBy(o => o.Kind).ThenBy(o => o.Id).ToListAsync(ct);
        rows.ForEach(Settle);
        return rows;
    }

    /// <summary>The AWS error this call answers with, classified as <see cref="AwsFailure.FromError"/> classifies real ones.</summary>
    /// <param name="region">The region the call is signed for, as AWS's signed client passes it: a quota's message says where to raise it.</param>
    public AwsCallException Fail(string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest, string? region = null)
    {
        var op = operation ?? throw new InvalidOperationException("Only gateway calls answer with AWS errors.");
        return new AwsCallException(AwsFailure.FromError(op.Service, op.Name, resource, status, code, message, region));
    }

    private async Task<SandboxObject?> FindAsync(string kind, string id)
    {
        var row = await TrackedOrStoredAsync(kind, id);
        return row is null || db.Entry(row).State == EntityState.Deleted ? null : row;
    }

    /// <summary>What FindAsync answers: the row this call already tracks, in whatever state, or else the stored one, now tracked.</summary>
    private async Task<SandboxObject?> TrackedOrStoredAsync(string kind, string id) =>
        db.SandboxObjects.Local.FindEntryUntyped([tenantId, kind, id])?.Entity ?? await ByKeyAsync(kind, id);

    private async Task<IEnumerable<SandboxObject>> RowsAsync(string kind, string? idPrefix)
    {
        await foreach (var _ in OfKind(kind).WithCancellation(ct))
        {
            // Loading is the point: the rows are tracked, and read back from Local below.
        }

        // Local holds what this call added and not what it deleted, as well as what was just loaded.
        return db.SandboxObjects.Local
            .Where(o => o.TenantId == tenantId && o.Kind == kind && (idPrefix is null || o.Id.StartsWith(idPrefix, StringComparison.Ordinal)))
            .OrderBy(o => o.CreatedAt).ThenBy(o => o.Id, StringComparer.Ordinal)
            .ToList();
    }

    private T Read<T>(SandboxObject row)
    {
        Settle(row);
        return JsonSerializer.Deserialize<T>(row.Json, s_json)!;
    }

    /// <summary>Applies a pending transition that is due and keeps the result, so the stored JSON says what AWS would say.</summary>
    private void Settle(SandboxObject row)
    {
        if (!row.Json.Contains($"\"{SandboxPending.PropertyName}\"", StringComparison.Ordinal))
        {
            return;
        }

        var json = JsonNode.Parse(row.Json)!.AsObject();
        if (json[SandboxPending.PropertyName]?.Deserialize<SandboxPending>(s_json) is { } pending && pending.At <= now)
        {
            json[pending.Field] = pending.To;
            json.Remove(SandboxPending.PropertyName);
            row.Json = json.ToJsonString(s_json);
            row.UpdatedAt = now.UtcDateTime;
        }
    }
}
