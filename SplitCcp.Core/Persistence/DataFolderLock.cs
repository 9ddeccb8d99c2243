using Microsoft.Extensions.Hosting;

namespace SplitCcp.Core.Persistence;

/// <summary>
/// The data folder belongs to one portal process at a time: a second one on the same database would resume the first one's
/// running applies and run them again. The lock is an exclusive open of a lock file beside the database (on Unix an advisory
/// <c>flock</c>, on Windows a sharing mode), so it ends with the process that held it, even a killed one, and the lock file
/// left behind never blocks the next start. Taken by Program before anything writes, and as the first hosted service for
/// hosts that do not run Program (tests); released when the host is disposed. In-memory databases take no lock, and neither
/// does PostgreSQL (a null connection string), where several replicas on one database are the point.
/// </summary>
public sealed class DataFolderLock(string? connectionString) : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private FileStream? _held;
    private bool _disposed;

    /// <summary>Null once this portal holds the lock (taken now or before); otherwise one line that says what to do.</summary>
    public string? TryAcquire()
    {
        if (connectionString is null || StorageOptions.DatabaseFileOf(connectionString) is not { } database)
        {
            return null;
        }

        var folder = Path.GetDirectoryName(database)!;
        var lockFile = Path.ChangeExtension(database, ".lock");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_held is not null)
            {
                return null;
            }

            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Read, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                _held = new FileStream(lockFile, options);
                return null;
            }
            catch (IOException) when (File.Exists(lockFile))
            {
                return $"The data folder {folder} is in use by another portal process (it holds {lockFile}). "
                    + $"Stop the other portal first, or give this one a data folder of its own with {StorageOptions.SectionName}:DataDirectory.";
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"Cannot create the lock file {lockFile} ({ex.Message.TrimEnd('.')}): the portal locks its data folder {folder} "
                    + "so that no second portal process uses it. Let the portal's user write to the folder.";
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) =>
        TryAcquire() is { } refusal ? throw new InvalidOperationException(refusal) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _held?.Dispose();
            _held = null;
        }
    }
}
