using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// Sends the outbox every <see cref="NotificationOptions.PollInterval"/> (and once at start), and prunes the delivery log
/// once an hour. Every portal runs one; the dispatcher's claims keep them from sending anything twice.
/// </summary>
public sealed partial class NotificationWorker(
    NotificationDispatcher dispatcher, IOptionsMonitor<NotificationOptions> options, TimeProvider time, ILogger<NotificationWorker> logger) : BackgroundService
{
    private static readonly TimeSpan s_pruneEvery = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Enabled)
        {
            return;
        }

        DateTimeOffset? pruned = null;
        using var timer = new PeriodicTimer(options.CurrentValue.PollInterval, time);
        do
        {
            try
            {
                await dispatcher.RunOnceAsync(stoppingToken);
                if (pruned is null || time.GetUtcNow() - pruned >= s_pruneEvery)
                {
                    await dispatcher.PruneAsync(stoppingToken);
                    pruned = time.GetUtcNow();
                }
            }
#pragma warning disable CA1031 // The next round tries again; a storage fault is reported by the storage health check.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                if (StorageFault.From(ex) is null)
                {
                    LogRoundFailed(logger, ex);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending notifications failed; the next round tries again.")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
