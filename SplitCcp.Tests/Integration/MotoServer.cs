using System.Diagnostics;
using System.Net;

namespace SplitCcp.Tests.Integration;

/// <summary>
/// A real moto_server (the AWS emulator) on a free loopback port for the wire-protocol tests. It is never skipped: when
/// moto is missing, the tests fail and say how to install it.
/// </summary>
public sealed class MotoServer : IAsyncLifetime
{
    private Process? _process;

    public Uri Endpoint { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        var port = SplitCcp.Tests.Infrastructure.PortalProcess.FreePort();
        var start = new ProcessStartInfo("moto_server", ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("moto_server is not installed. Install it with: pip install \"moto[server]\"", ex);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Endpoint = new Uri($"http://127.0.0.1:{port}");

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var response = await http.GetAsync(new Uri(Endpoint, "/moto-api/"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }

            if (DateTime.UtcNow >= deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"moto_server did not answer on {Endpoint} within 30 s.");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Forgets every resource moto holds (POST /moto-api/reset), for tests that count what a listing returns.</summary>
    public async Task ResetAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Endpoint, "/moto-api/reset"), null);
        response.EnsureSuccessStatusCode();
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }
}
