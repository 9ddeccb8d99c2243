using System.Diagnostics;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// A test that gives the portal a disk of its own (<see cref="PortalProcess.StartAsync"/> with a disk size): it needs Linux
/// and the right to mount in a mount namespace of its own (root, or CAP_SYS_ADMIN), and is reported as skipped elsewhere.
/// </summary>
internal sealed class OwnDiskFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> s_canMount = new(CanMount);

    public OwnDiskFactAttribute()
    {
        if (!s_canMount.Value)
        {
            Skip = "Needs Linux and the right to mount a tmpfs in a mount namespace of its own (root).";
        }
    }

    private static bool CanMount()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            using var probe = Process.Start(new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", Path.GetTempPath()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (probe is null || !probe.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                return false;
            }

            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
