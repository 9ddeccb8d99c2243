using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// The built portal started as its own process, configured only through environment variables as an operator would, for
/// what the in-memory test server cannot show: which ports Kestrel really listens on.
/// </summary>
internal sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly ConcurrentQueue<string> _output = new();

    private readonly bool _ownDisk;

    private PortalProcess(Process process, string folder, bool ownDisk)
    {
        _process = process;
        _folder = folder;
        _ownDisk = ownDisk;
    }

    private string DataDirectory => Path.Combine(_folder, "data");

    /// <summary>Everything the process wrote so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The data folder as the test sees it; for a portal on a disk of its own, through the portal's mount namespace.</summary>
    public string DataFolderAsSeenByTests => _ownDisk ? $"/proc/{_process.Id}/root{DataDirectory}" : DataDirectory;

    /// <summary>Starts the portal with <paramref name="environment"/> and waits until <paramref name="readyUrl"/> answers 200.</summary>
    /// <param name="ownDiskBytes">
    /// Puts the data folder on a disk of its own, this large, that a test can fill as a real disk fills: a tmpfs mounted in a
    /// mount namespace of the portal's own (see <see cref="OwnDiskFactAttribute"/>), gone with the process.
    /// </param>
    public static async Task<PortalProcess> StartAsync(IReadOnlyDictionary<string, string> environment, Uri readyUrl, long? ownDiskBytes = null)
    {
        var portal = Launch(environment, ownDiskBytes);
        try
        {
            await portal.WaitUntilReadyAsync(readyUrl);
        }
        catch
        {
            await portal.DisposeAsync();
            throw;
        }

        return portal;
    }

    /// <summary>Starts the portal with <paramref name="environment"/> and waits for it to exit on its own, as it should when misconfigured.</summary>
    public static async Task<PortalExit> RunToExitAsync(IReadOnlyDictionary<string, string> environment)
    {
        await using var portal = Launch(environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await portal._process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"The portal was still running after 60 s:\n{portal.Output}");
        }

        // The asynchronous readers deliver the last lines after the exit; the parameterless wait lets them finish.
        await portal._process.WaitForExitAsync();
        return new PortalExit(portal._process.ExitCode, portal._output.Where(line => line.Length > 0).ToList(), Directory.Exists(portal.DataDirectory));
    }

    /// <summary>
    /// The portal in Production with its data folder (not created yet) and a key file for the Data Protection keys beside it
    /// in a temp folder of its own; <paramref name="environment"/> goes over both.
    /// </summary>
    private static PortalProcess Launch(IReadOnlyDictionary<string, string> environment, long? ownDiskBytes = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "splitccp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var keyFile = Path.Combine(folder, "dataprotection.key");
        File.WriteAllText(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var dataDirectory = Path.Combine(folder, "data");
        string[] command = [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "SplitCcp.Web.dll")];
        if (ownDiskBytes is { } bytes)
        {
            // The mount is seen by the portal alone and goes away with it; exec keeps the process (and its id) the portal's.
            command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", """mkdir -p "$1" && mount -t tmpfs -o "size=$0" tmpfs "$1" && shift && exec "$@" """,
                bytes.ToString(CultureInfo.InvariantCulture), dataDirectory, .. command];
        }

        var start = new ProcessStartInfo(command[0], command[1..])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Nothing from the machine running the tests: only what the test sets.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SplitCcp", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Kestrel", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["SplitCcp__Storage__DataDirectory"] = dataDirectory;
        start.Environment["SplitCcp__DataProtection__KeyFile"] = keyFile;
        start.Environment["SplitCcp__Drift__Enabled"] = "false";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The portal did not start.");
        var portal = new PortalProcess(process, folder, ownDiskBytes is not null);
        process.OutputDataReceived += (_, e) => portal._output.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => portal._output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return portal;
    }

    /// <summary>The portal's process ID, as it names itself when it claims an apply.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Ends the portal with SIGKILL, as an OOM kill or a lost node does: nothing of it runs to stop cleanly.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Url(int port, string path = "") => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}{path}");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }

    private async Task WaitUntilReadyAsync(Uri readyUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(readyUrl);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"The portal did not answer {readyUrl} within 90 s:\n{Output}");
            }

            await Task.Delay(200);
        }
    }
}

/// <summary>How a portal that stopped on its own ended: its exit code, the lines it wrote, and whether it made its data folder.</summary>
internal sealed record PortalExit(int ExitCode, IReadOnlyList<string> Lines, bool DataDirectoryCreated);
