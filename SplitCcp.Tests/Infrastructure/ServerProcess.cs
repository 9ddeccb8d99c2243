using System.Diagnostics;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>A server a test starts as a child process, which prints "ready" once it listens and stops when its standard input closes.</summary>
internal static class ServerProcess
{
    /// <summary>Waits up to 30 s for "ready"; otherwise kills the process and fails with <paramref name="failure"/> and what it wrote to stderr.</summary>
    public static void WaitUntilReady(Process process, string failure)
    {
        var error = process.StandardError.ReadToEndAsync();
        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(30)) || ready.Result != "ready")
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{failure}: {(error.Wait(TimeSpan.FromSeconds(5)) ? error.Result : "")}");
        }
    }

    /// <summary>Closes its standard input, gives it five seconds to stop, then kills it.</summary>
    public static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }
}
