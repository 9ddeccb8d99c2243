using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// Runs accepted applies in the background, every tenant's at once: how many work at a time is up to <see cref="ApplySlots"/>,
/// so one slow tenant never holds up another. On start, and then every quarter of <see cref="ReconciliationOptions.ApplyLease"/>,
/// it renews this process's claims, then claims and picks up every unfinished apply it may take (<see cref="ApplyClaims"/>): those a
/// previous process left Pending or Running, which is how an interrupted apply resumes; its own that stopped on a fault
/// (the disk full for a while), which resume from their journal once writes work again; and those whose owner is gone.
/// </summary>
public sealed partial class ApplyRunner(
    ApplyEngine engine,
    ApplyClaims claims,
    StorageProbe storage,
    IOptions<ReconciliationOptions> options,
    TimeProvider time,
    ILogger<ApplyRunner> logger) : BackgroundService
{
    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();
    private readonly ConcurrentDictionary<Guid, byte> _stalled = new();
    private bool _sweepFailing;

    public void Enqueue(Guid applyId) => _queue.Writer.TryWrite(applyId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweeping = SweepAsync(stoppingToken);
        var inFlight = new List<Task>();
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (engine.IsRunning(id))
                {
                    continue;
                }

                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(Task.Run(() => RunAsync(id, stoppingToken), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll([.. inFlight, sweeping]);
    }

    private async Task RunAsync(Guid id, CancellationToken stoppingToken)
    {
        try
        {
            await engine.RunAsync(id, stoppingToken);
            if (_stalled.TryRemove(id, out _))
            {
                LogRunRecovered(logger, id);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the apply stays Running and resumes on the next start.
        }
#pragma warning disable CA1031 // A failure of one apply must not stop the runner for every other tenant.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Still Running and claimed by this process: the next sweep resumes it from its journal. A storage fault is said
            // once per apply, not at every sweep until the disk has room again.
            if (StorageFault.From(ex) is { } fault)
            {
                if (_stalled.TryAdd(id, 0))
                {
                    LogRunStalled(logger, id, fault.Reason);
                }
            }
            else
            {
                LogRunFailed(logger, ex, id);
            }
        }
    }

    /// <summary>Renews this process's claims, then claims and queues what it may run, at start and then every quarter of the lease.</summary>
    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ApplyLease / 4;
        try
        {
            while (true)
            {
                await SweepOnceAsync(stoppingToken);
                await Task.Delay(interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepOnceAsync(CancellationToken ct)
    {
        try
        {
            // While the database cannot be written an apply cannot run (its journal is written before each step): it waits
            // here, not in a loop of resumes that each get one step further, until the probe finds writes work again.
            if (await storage.CheckAsync(ct) is not null)
            {
                return;
            }

            await claims.RenewAsync(ct);
            foreach (var id in await claims.ClaimAvailableAsync(ct))
            {
                if (!engine.IsRunning(id))
                {
                    LogPickingUp(logger, id);
                    Enqueue(id);
                }
            }

            _sweepFailing = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Storage out for a while: said once, tried again at the next sweep.
            if (!_sweepFailing)
            {
                LogSweepFailed(logger, ex);
            }

            _sweepFailing = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Picking up apply {ApplyId}: interrupted, stopped on a fault, or left by a portal process that is gone.")]
    private static partial void LogPickingUp(ILogger logger, Guid applyId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Apply {ApplyId} stopped before its end; it is resumed from its journal at the next sweep.")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, Guid applyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Apply {ApplyId} is stopped until the database can be written again, then resumed from its journal: {Reason}")]
    private static partial void LogRunStalled(ILogger logger, Guid applyId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Apply {ApplyId} resumed: the database can be written again.")]
    private static partial void LogRunRecovered(ILogger logger, Guid applyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew apply claims or look for applies to resume; trying again at the next sweep.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
