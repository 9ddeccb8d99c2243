using System.Globalization;

namespace SplitCcp.Benchmark;

/// <summary>The process's resident memory from Linux's /proc (VmRSS now, VmHWM the peak, which can be reset before a measurement).</summary>
internal static class ProcessMemory
{
    private const string Status = "/proc/self/status";

    /// <summary>Resets the kernel's high-water mark to the current resident size; false where /proc does not allow it.</summary>
    public static bool ResetPeak()
    {
        try
        {
            // 5 clears the peak resident set size (see proc(5), /proc/pid/clear_refs).
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    /// <summary>The peak resident set size since start or the last <see cref="ResetPeak"/>, or the process's own figure off Linux.</summary>
    public static long PeakResidentBytes() => StatusBytes("VmHWM:") ?? OwnFigure(p => p.PeakWorkingSet64);

    /// <summary>The resident set size now, or the process's own figure off Linux.</summary>
    public static long ResidentBytes() => StatusBytes("VmRSS:") ?? OwnFigure(p => p.WorkingSet64);

    private static long OwnFigure(Func<System.Diagnostics.Process, long> read)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return read(process);
    }

    /// <summary>A line of /proc/self/status given in kB, in bytes; null where there is no such file.</summary>
    private static long? StatusBytes(string field)
    {
        if (!File.Exists(Status))
        {
            return null;
        }

        foreach (var line in File.ReadLines(Status))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
