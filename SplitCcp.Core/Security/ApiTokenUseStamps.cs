using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>
/// When each API token was last used, saved in the background: authenticating a request only reads, so a database that
/// cannot be written (a read-only data folder, a full disk) never fails a request over a bookkeeping stamp. A token is
/// stamped at most every <see cref="Resolution"/>; stamps are saved in batches; a batch that cannot be saved is kept,
/// logged once, and tried again <see cref="RetryInterval"/> after the storage is writable again.
/// </summary>
public sealed partial class ApiTokenUseStamps(
    IDbContextFactory<SplitCcpDbContext> dbFactory, StorageHealth storage, TimeProvider time, ILogger<ApiTokenUseStamps> logger) : BackgroundService
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Guid, DateTime> _pending = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _saving = new(1, 1);
    private bool _failing;

    /// <summary>Notes that the token was used now, unless its stored or queued stamp is less than <see cref="Resolution"/> old.</summary>
    public void Record(Guid tokenId, DateTime? storedLastUse)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var last = _pending.TryGetValue(tokenId, out var queued) ? queued : storedLastUse;
        if (last is { } at && now - at <= Resolution)
        {
            return;
        }

        _pending[tokenId] = now;
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Saves the queued stamps now; false when the database would not take them (they stay queued).</summary>
    public async Task<bool> SaveAsync(CancellationToken ct = default)
    {
        await _saving.WaitAsync(ct);
        try
        {
            var batch = _pending.ToArray();
            if (batch.Length == 0)
            {
                return true;
            }

            try
            {
                await WriteAsync(batch, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (!_failing)
                {
                    _failing = true;
                    LogNotSaved(logger, batch.Length, ex);
                }

                return false;
            }

            // A stamp recorded again while the batch was saved stays queued for the next one.
            foreach (var stamp in batch)
            {
                _pending.TryRemove(stamp);
            }

            if (_failing)
            {
                _failing = false;
                LogSavedAgain(logger);
            }

            return true;
        }
        finally
        {
            _saving.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                _wake.Reader.TryRead(out _);
                while (!await SaveAsync(stoppingToken))
                {
                    // Each failed try is logged by EF Core too: none while the database is known not to take writes.
                    do
                    {
                        await Task.Delay(RetryInterval, time, stoppingToken);
                    }
                    while (storage.Fault is not null);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(KeyValuePair<Guid, DateTime>[] batch, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var (tokenId, usedAt) in batch)
        {
            await db.WriteAsync(token => db.ApiTokens.Where(t => t.Id == tokenId && (t.LastUsedAt == null || t.LastUsedAt < usedAt))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, usedAt), token), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The last use of {Count} API token(s) could not be saved; they are kept and saved when the database can be written again. Requests are not affected.")]
    private static partial void LogNotSaved(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The last use of API tokens is saved again.")]
    private static partial void LogSavedAgain(ILogger logger);
}
