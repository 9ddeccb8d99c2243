using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SplitCcp.Core.Security;

/// <summary>
/// Sends the password resets asked for on the sign-in page, one at a time, away from the request that asked: the page
/// answers the same at once whether or not there is an account. The queue is bounded, so a flood of requests cannot
/// grow the process; one address is mailed at most once per <see cref="AccountOptions.PasswordResetInterval"/>, so the
/// form cannot flood a mailbox; and the queue is drained when the portal stops, so a reset asked for just before is sent.
/// </summary>
public sealed partial class PasswordResetMailer(
    AccountLinks links, IOptions<AccountOptions> options, TimeProvider time, ILogger<PasswordResetMailer> logger) : BackgroundService
{
    /// <summary>
    /// How many addresses the last asks are remembered for. Full of addresses asked for within the interval, the form is
    /// being flooded, and new addresses are dropped until old ones can be forgotten.
    /// </summary>
    internal const int RememberedAddresses = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastAsked = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _pruning = new();
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    /// <summary>How many resets may wait; more than that at once is a flood, and the rest are dropped (and logged).</summary>
    internal const int Capacity = 256;

    private readonly Channel<string> _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>Queues a reset for the account with this address, if there is one; answers at once, whatever happens.</summary>
    public void Queue(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || AskedRecently(email.Trim()))
        {
            return;
        }

        if (!_queue.Writer.TryWrite(email))
        {
            LogDropped(logger, Capacity);
        }
    }

    /// <summary>Whether this address was asked for within the interval; if not, it is now.</summary>
    private bool AskedRecently(string email)
    {
        var interval = options.Value.PasswordResetInterval;
        if (interval <= TimeSpan.Zero)
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (_lastAsked.Count >= RememberedAddresses && !_lastAsked.ContainsKey(email) && !Forget(now, interval))
        {
            return true;
        }

        var recently = false;
        _lastAsked.AddOrUpdate(email, now, (_, last) => (recently = now - last < interval) ? last : now);
        if (recently)
        {
            LogThrottled(logger, interval);
        }

        return recently;
    }

    /// <summary>
    /// Forgets the addresses last asked for before the interval, at most once a second however many requests come (and
    /// says so once a second while the form is flooded); true when there is room.
    /// </summary>
    private bool Forget(DateTimeOffset now, TimeSpan interval)
    {
        lock (_pruning)
        {
            if (now >= _nextPrune)
            {
                _nextPrune = now + TimeSpan.FromSeconds(1);
                foreach (var (address, at) in _lastAsked)
                {
                    if (now - at >= interval)
                    {
                        _lastAsked.TryRemove(address, out _);
                    }
                }

                if (_lastAsked.Count >= RememberedAddresses)
                {
                    LogFlooded(logger, _lastAsked.Count, interval);
                }
            }
        }

        return _lastAsked.Count < RememberedAddresses;
    }

    /// <summary>How many addresses are remembered now.</summary>
    internal int Remembered => _lastAsked.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reads until the queue is closed at stop, not until the stop token fires: what was queued is still sent.
        await foreach (var email in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await links.SendPasswordResetAsync(email, CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogResetFailed(logger, ex);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A password reset asked for on the sign-in page could not be sent.")]
    private static partial void LogResetFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "A password reset was not queued: the same address asked within the last {Interval}.")]
    private static partial void LogThrottled(ILogger logger, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A password reset was not queued: {Remembered} other addresses asked within the last {Interval}, a flood.")]
    private static partial void LogFlooded(ILogger logger, int remembered, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A password reset was not queued: {Capacity} are already waiting to be sent.")]
    private static partial void LogDropped(ILogger logger, int capacity);
}
