using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;

namespace SplitCcp.Core.Bulk;

/// <summary>
/// Runs bulk operations in the background, wave by wave: the tenants of a wave side by side (at most
/// <see cref="BulkOptions.MaxParallel"/> at once), each to its end, and the next wave only when every tenant of this one
/// succeeded; on a failure the tenants of later waves are Skipped and the operation is Stopped. A cancel request is obeyed
/// before the next wave. Operations are claimed (<see cref="BulkClaims"/>) so one process runs each; at start, and every
/// quarter of the lease, the runner renews its claims and picks up the Running operations whose owner is gone, which is
/// how an operation interrupted by a restart resumes: the tenants it had finished stay finished, a tenant it was applying
/// waits for that apply, and the rest run.
/// </summary>
public sealed partial class BulkRunner(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    BulkClaims claims,
    BulkTenantActions actions,
    AuditLog audit,
    IOptions<BulkOptions> options,
    TimeProvider time,
    ILogger<BulkRunner> logger) : BackgroundService
{
    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();
    private readonly ConcurrentDictionary<Guid, Task> _running = new();

    /// <summary>Raised after each change of an operation this process runs, for pages that show it.</summary>
    public event Action<Guid>? Changed;

    public void Enqueue(Guid operationId) => _queue.Writer.TryWrite(operationId);

    /// <summary>Whether this process is running the operation now.</summary>
    public bool IsRunning(Guid operationId) => _running.ContainsKey(operationId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweeping = SweepAsync(stoppingToken);
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (_running.ContainsKey(id) || !await TryClaimAsync(id, stoppingToken))
                {
                    continue;
                }

                _running[id] = Task.Run(() => RunAsync(id, stoppingToken), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll([.. _running.Values, sweeping]);
    }

    private async Task<bool> TryClaimAsync(Guid id, CancellationToken ct)
    {
        try
        {
            return await claims.TryClaimAsync(id, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogClaimFailed(logger, ex, id);
            return false;
        }
    }

    private async Task RunAsync(Guid id, CancellationToken stoppingToken)
    {
        try
        {
            await RunWavesAsync(id, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the operation stays Running and resumes on the next start.
        }
#pragma warning disable CA1031 // One operation's failure must not stop the runner; the next sweep resumes it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRunFailed(logger, ex, id);
        }
        finally
        {
            _running.TryRemove(id, out _);
        }
    }

    private async Task RunWavesAsync(Guid id, CancellationToken ct)
    {
        for (var wave = 0; ; wave++)
        {
            var (operation, tenants) = await LoadAsync(id, ct);
            if (operation is null || operation.State != BulkOperationState.Running || !await claims.HoldAsync(id, ct))
            {
                return;
            }

            // Counted from the operation, not from its rows: a wave whose tenants were all deleted since is empty, not the end.
            if (wave == operation.Waves)
            {
                await FinishAsync(id, BulkOperationState.Succeeded, null, null, ct);
                return;
            }

            var toRun = tenants.Where(t => t.Wave == wave && t.State is BulkTenantState.Pending or BulkTenantState.Running).ToList();
            if (toRun.Count > 0 && operation.CancelRequested)
            {
                await FinishAsync(id, BulkOperationState.Cancelled, null, $"Not run: the bulk {BulkOperationService.Verb(operation.Kind)} was cancelled by {operation.CancelledBy} before {BulkOperationService.WaveName(wave)}.", ct);
                return;
            }

            await Parallel.ForEachAsync(toRun, new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallel, CancellationToken = ct },
                async (row, token) => await RunTenantAsync(operation, row, token));

            if ((await LoadAsync(id, ct)).Tenants.Any(t => t.Wave == wave && t.State == BulkTenantState.Failed))
            {
                await FinishAsync(id, BulkOperationState.Stopped, wave, $"Not run: {BulkOperationService.WaveName(wave)} of the bulk {BulkOperationService.Verb(operation.Kind)} had failures.", ct);
                return;
            }
        }
    }

    private async Task RunTenantAsync(BulkOperation operation, BulkOperationTenant row, CancellationToken ct)
    {
        if (row.State == BulkTenantState.Pending)
        {
            var startedAt = time.GetUtcNow().UtcDateTime;
            await UpdateAsync(row.Id, t =>
            {
                t.State = BulkTenantState.Running;
                t.StartedAt = startedAt;
            }, operation.Id, ct);
        }
        else
        {
            // Running when a previous process stopped: resumed, as the single-tenant work it started resumes.
            LogResuming(logger, operation.Id, row.TenantId);
        }

        BulkTenantOutcome outcome;
        try
        {
            outcome = await actions.RunAsync(operation, row, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogTenantFailed(logger, ex, operation.Id, row.TenantId);
            outcome = new BulkTenantOutcome(false, StorageFault.From(ex) is { } fault ? fault.Reason : "It failed unexpectedly; the portal's log has the details.");
        }

        await UpdateAsync(row.Id, t =>
        {
            t.State = outcome.Succeeded ? BulkTenantState.Succeeded : BulkTenantState.Failed;
            t.Error = outcome.Error;
            t.ApplyId = outcome.ApplyId ?? t.ApplyId;
            t.Changes = outcome.Changes;
            t.Health = outcome.Health;
            t.FinishedAt = time.GetUtcNow().UtcDateTime;
        }, operation.Id, ct);
    }

    /// <summary>Ends the operation: every tenant not run is Skipped with <paramref name="skipped"/>, in its history too.</summary>
    private async Task FinishAsync(Guid id, BulkOperationState state, int? stoppedAtWave, string? skipped, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var operation = await db.BulkOperations.Include(o => o.Tenants).SingleAsync(o => o.Id == id, ct);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var tenant in operation.Tenants.Where(t => t.State == BulkTenantState.Pending))
        {
            tenant.State = BulkTenantState.Skipped;
            tenant.Error = skipped;
            tenant.FinishedAt = now;
            db.Audit.Add(audit.Entry(tenant.TenantId, operation.RequestedBy, AuditActions.BulkSkipped, $"{skipped} ({operation.Id})"));
        }

        operation.State = state;
        operation.StoppedAtWave = stoppedAtWave;
        operation.FinishedAt = now;
        await db.SaveChangesAsync(ct);
        LogFinished(logger, id, state);
        Changed?.Invoke(id);
    }

    private async Task UpdateAsync(long rowId, Action<BulkOperationTenant> change, Guid operationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.BulkOperationTenants.SingleOrDefaultAsync(t => t.Id == rowId, ct) is not { } row)
        {
            // Deleted with its tenant: it drops out of the operation.
            return;
        }

        change(row);
        await db.SaveChangesAsync(ct);
        Changed?.Invoke(operationId);
    }

    private async Task<(BulkOperation? Operation, List<BulkOperationTenant> Tenants)> LoadAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var operation = await db.BulkOperations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct);
        var tenants = await db.BulkOperationTenants.AsNoTracking().Where(t => t.OperationId == id).OrderBy(t => t.Ordinal).ToListAsync(ct);
        return (operation, tenants);
    }

    /// <summary>Renews this process's claims, then claims and queues what it may run, at start and every quarter of the lease.</summary>
    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await SweepOnceAsync(stoppingToken);
                await Task.Delay(claims.Lease / 4, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One sweep: renews the claims of the operations this process runs, if it runs any, so an idle portal writes nothing
    /// (every replica sweeps, and a write on SQLite takes the database's one write lock); then claims and queues the rest.
    /// </summary>
    internal async Task SweepOnceAsync(CancellationToken ct)
    {
        try
        {
            if (!_running.IsEmpty)
            {
                await claims.RenewAsync(ct);
            }

            foreach (var id in await claims.ClaimAvailableAsync(ct))
            {
                if (!_running.ContainsKey(id))
                {
                    LogPickingUp(logger, id);
                    Enqueue(id);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSweepFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Picking up bulk operation {OperationId}: interrupted, or left by a portal process that is gone.")]
    private static partial void LogPickingUp(ILogger logger, Guid operationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk operation {OperationId} resumes tenant {TenantId}, which it was working on when it stopped.")]
    private static partial void LogResuming(ILogger logger, Guid operationId, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk operation {OperationId} ended: {State}.")]
    private static partial void LogFinished(ILogger logger, Guid operationId, BulkOperationState state);

    [LoggerMessage(Level = LogLevel.Error, Message = "Bulk operation {OperationId} failed on tenant {TenantId}.")]
    private static partial void LogTenantFailed(ILogger logger, Exception exception, Guid operationId, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Bulk operation {OperationId} stopped before its end; the next sweep resumes it.")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, Guid operationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not claim bulk operation {OperationId}; the next sweep tries again.")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, Guid operationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew bulk operation claims or look for operations to resume; trying again at the next sweep.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
