using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// Runs accepted applies in the background, every tenant's at once: how many work at a time is up to <see cref="ApplySlots"/>,
/// so one slow tenant never holds up another. On start it picks up every apply a previous process left Pending or Running,
/// which is how an interrupted apply resumes.
/// </summary>
public sealed partial class ApplyRunner(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    ApplyEngine engine,
    ILogger<ApplyRunner> logger) : BackgroundService
{
    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();
    private readonly ConcurrentDictionary<Guid, byte> _running = new();

    public void Enqueue(Guid applyId) => _queue.Writer.TryWrite(applyId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(stoppingToken))
        {
            var interrupted = await db.Applies
                .Where(a => a.State == ApplyState.Pending || a.State == ApplyState.Running)
                .OrderBy(a => a.CreatedAt).Select(a => a.Id).ToListAsync(stoppingToken);
            foreach (var id in interrupted)
            {
                LogResuming(logger, id);
                Enqueue(id);
            }
        }

        var inFlight = new List<Task>();
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (!_running.TryAdd(id, 0))
                {
                    continue;
                }

                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await engine.RunAsync(id, stoppingToken);
                    }
                    catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                    {
                        // Shutting down: the apply stays Running and resumes on the next start.
                    }
#pragma warning disable CA1031 // A failure of one apply must not stop the runner for every other tenant.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        LogRunFailed(logger, ex, id);
                    }
                    finally
                    {
                        _running.TryRemove(id, out _);
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(inFlight);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming apply {ApplyId}, interrupted by a restart.")]
    private static partial void LogResuming(ILogger logger, Guid applyId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Apply {ApplyId} could not be run.")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, Guid applyId);
}
