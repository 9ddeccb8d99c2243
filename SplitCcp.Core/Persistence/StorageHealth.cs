using Microsoft.Extensions.Logging;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// Whether the database can be written, as the latest evidence says: a command that SQLite refused for a storage reason
/// (<see cref="StorageErrorInterceptor"/>) or a failed <see cref="StorageProbe"/> makes it not writable, a successful probe
/// writable again. Logged when it changes, not at every refused write.
/// </summary>
public sealed partial class StorageHealth(TimeProvider time, ILogger<StorageHealth> logger)
{
    private readonly Lock _lock = new();
    private StorageFault? _fault;
    private DateTimeOffset _since;

    /// <summary>Why the database cannot be written, or null while it can.</summary>
    public StorageFault? Fault
    {
        get
        {
            lock (_lock)
            {
                return _fault;
            }
        }
    }

    internal void Report(StorageFault fault)
    {
        lock (_lock)
        {
            if (_fault?.Kind == fault.Kind)
            {
                return;
            }

            _fault = fault;
            _since = time.GetUtcNow();
        }

        LogNotWritable(logger, fault.Reason);
    }

    internal void Recovered()
    {
        TimeSpan down;
        lock (_lock)
        {
            if (_fault is null)
            {
                return;
            }

            _fault = null;
            down = time.GetUtcNow() - _since;
        }

        LogWritableAgain(logger, down.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Reason} Saves fail until it can be written again; the portal keeps checking.")]
    private static partial void LogNotWritable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database can be written again, after {Seconds:0} s.")]
    private static partial void LogWritableAgain(ILogger logger, double seconds);
}
