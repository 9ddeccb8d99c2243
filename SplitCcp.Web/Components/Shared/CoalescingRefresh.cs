namespace SplitCcp.Web.Components.Shared;

/// <summary>
/// Turns a burst of change notifications into few refreshes: the first request refreshes at once, later ones within
/// <c>interval</c> of the last refresh's start share one trailing refresh, and refreshes never overlap. A drift pass over a
/// thousand tenants notifies a thousand times in seconds; a page refreshes about once a second through it, and once more
/// after the last notification, so it always ends showing the latest state.
/// </summary>
internal sealed class CoalescingRefresh(Func<Task> refresh, TimeSpan interval, TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private long _lastStart = long.MinValue;
    private bool _scheduled;
    private bool _running;
    private bool _pending;
    private bool _disposed;

    /// <summary>How many refreshes have started: for tests and diagnostics.</summary>
    public int Refreshes { get; private set; }

    /// <summary>Asks for a refresh; safe from any thread, cheap to call once per notification.</summary>
    public void Request()
    {
        lock (_lock)
        {
            if (_disposed || _scheduled)
            {
                // A refresh that has not started yet reads after this change, so it covers it.
                return;
            }

            if (_running)
            {
                _pending = true;
                return;
            }

            if (!ScheduleLocked())
            {
                return;
            }
        }

        _ = RunAsync();
    }

    /// <summary>True when the refresh is due now: the caller starts it once the lock is released.</summary>
    private bool ScheduleLocked()
    {
        _scheduled = true;
        var wait = _lastStart == long.MinValue ? TimeSpan.Zero : interval - time.GetElapsedTime(_lastStart);
        if (wait <= TimeSpan.Zero)
        {
            return true;
        }

        _timer?.Dispose();
        _timer = time.CreateTimer(_ => _ = RunAsync(), null, wait, Timeout.InfiniteTimeSpan);
        return false;
    }

    private async Task RunAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _scheduled = false;
            _running = true;
            _lastStart = time.GetTimestamp();
            Refreshes++;
        }

        try
        {
            await refresh();
        }
        finally
        {
            bool now;
            lock (_lock)
            {
                _running = false;
                now = _pending && !_disposed && ScheduleLocked();
                _pending = false;
            }

            if (now)
            {
                _ = RunAsync();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }
}
