using System.Diagnostics;
using System.Globalization;
using MimeKit;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// A real SMTP server (Python's aiosmtpd) on a free loopback port, started by the test, that keeps every message it receives.
/// It is never skipped: when aiosmtpd is missing, the test fails and says how to install it.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    private static readonly Lazy<string> s_python = new(FindPython);
    private readonly Process _process;
    private readonly string _folder;

    private SmtpSink(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        _folder = folder;
    }

    public int Port { get; }

    /// <summary>Starts the server; with a user name and password it accepts only clients that sign in with them.</summary>
    public static SmtpSink Start(string? userName = null, string? password = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "splitccp-smtp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = PortalProcess.FreePort();
        var start = new ProcessStartInfo(s_python.Value, [Path.Combine(AppContext.BaseDirectory, "Infrastructure", "smtp_sink.py"), port.ToString(CultureInfo.InvariantCulture), folder])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (userName is not null)
        {
            start.ArgumentList.Add(userName);
            start.ArgumentList.Add(password ?? "");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The SMTP server did not start.");
        ServerProcess.WaitUntilReady(process, $"The SMTP server did not start on port {port}");

        return new SmtpSink(process, port, folder);
    }

    /// <summary>The settings that send the portal's mail here.</summary>
    public IReadOnlyDictionary<string, string?> Settings(string portalUrl = "https://portal.msp.example") => new Dictionary<string, string?>
    {
        ["SplitCcp:Mail:Host"] = "127.0.0.1",
        ["SplitCcp:Mail:Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["SplitCcp:Mail:Security"] = "None",
        ["SplitCcp:Mail:From"] = "SplitCcp <portal@msp.example>",
        ["SplitCcp:PortalUrl"] = portalUrl,
    };

    /// <summary>Every message received so far, oldest first.</summary>
    public IReadOnlyList<MimeMessage> Messages() =>
        new DirectoryInfo(_folder).GetFiles("*.eml").OrderBy(f => f.LastWriteTimeUtc).Select(f => MimeMessage.Load(f.FullName)).ToList();

    /// <summary>The first message to <paramref name="to"/>, waiting up to ten seconds for it.</summary>
    public async Task<MimeMessage> WaitForMessageAsync(string to)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (Messages().FirstOrDefault(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, to, StringComparison.OrdinalIgnoreCase))) is { } message)
            {
                return message;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No mail to {to} arrived within 10 s; {Messages().Count} other messages did.");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        ServerProcess.Stop(_process);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A Python that has aiosmtpd: the one on the PATH, or Debian's, where python3-aiosmtpd installs it.</summary>
    private static string FindPython()
    {
        foreach (var candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(candidate, ["-c", "import aiosmtpd"]) { RedirectStandardError = true, UseShellExecute = false });
                if (probe is not null && probe.WaitForExit(30_000) && probe.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }

        throw new InvalidOperationException("No Python has aiosmtpd, the tests' SMTP server. Install it with: apt-get install python3-aiosmtpd (or pip install aiosmtpd).");
    }
}
