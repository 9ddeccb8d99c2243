using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SplitCcp.Benchmark;

/// <summary>
/// A portal replica in a process of its own: this program started again with <c>--replica</c> and the benchmark's settings,
/// sharing its PostgreSQL database. It takes commands on its standard input, one a line, and answers each on its standard
/// output with a line that starts with <see cref="Prefix"/> (anything else there is the portal's own logging):
/// <c>latency T</c> sets the Sandbox's latency, <c>pass TICKS</c> runs and measures a drift pass over the tenants not
/// checked since that UTC time; end of input stops it.
/// </summary>
internal sealed class ReplicaProcess : IAsyncDisposable
{
    public const string Flag = "--replica";

    private const string Prefix = "@@ ";

    private readonly Process _process;
    private readonly string _settingsFile;
    private readonly List<string> _output = [];

    private ReplicaProcess(Process process, string settingsFile)
    {
        _process = process;
        _settingsFile = settingsFile;
    }

    public int ProcessId => _process.Id;

    /// <summary>Starts a replica with <paramref name="settings"/> and waits until its portal is up.</summary>
    public static async Task<ReplicaProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, string folder, CancellationToken ct)
    {
        var file = Path.Combine(folder, $"replica-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(settings), ct);
        var program = typeof(ReplicaProcess).Assembly.Location;
        var apphost = Path.Combine(Path.GetDirectoryName(program)!, Path.GetFileNameWithoutExtension(program));
        var start = File.Exists(apphost) ? new ProcessStartInfo(apphost, [Flag, file]) : new ProcessStartInfo("dotnet", [program, Flag, file]);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["DOTNET_gcServer"] = System.Runtime.GCSettings.IsServerGC ? "1" : "0";
        var replica = new ReplicaProcess(Process.Start(start) ?? throw new InvalidOperationException("The replica process did not start."), file);
        replica._process.ErrorDataReceived += (_, e) => replica.Keep(e.Data);
        replica._process.BeginErrorReadLine();
        try
        {
            await replica.AnswerAsync("ready", ct);
        }
        catch
        {
            await replica.DisposeAsync();
            throw;
        }

        return replica;
    }

    public async Task SetLatencyAsync(TimeSpan latency, CancellationToken ct)
    {
        await SendAsync($"latency {latency.Ticks.ToString(CultureInfo.InvariantCulture)}");
        await AnswerAsync("latency", ct);
    }

    /// <summary>Asks for a pass; await the task it returns for the replica's figures.</summary>
    public async Task<ReplicaPass> PassAsync(DateTime notCheckedSince, CancellationToken ct)
    {
        await SendAsync($"pass {notCheckedSince.Ticks.ToString(CultureInfo.InvariantCulture)}");
        return JsonSerializer.Deserialize<ReplicaPass>(await AnswerAsync("pass", ct))
            ?? throw new InvalidOperationException("The replica answered a pass with nothing.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
            File.Delete(_settingsFile);
        }
    }

    private async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Reads the replica's output up to its answer to <paramref name="command"/>, and returns what follows the command's name.</summary>
    private async Task<string> AnswerAsync(string command, CancellationToken ct)
    {
        while (await _process.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                Keep(line);
                continue;
            }

            var answer = line[Prefix.Length..];
            var name = answer.Split(' ', 2)[0];
            if (name == command)
            {
                return answer[name.Length..].TrimStart();
            }

            if (name == "error")
            {
                throw new InvalidOperationException($"Replica {_process.Id}: {answer["error".Length..].Trim()}");
            }
        }

        throw new InvalidOperationException($"Replica {_process.Id} ended before it answered '{command}'. Its output:\n{string.Join('\n', _output.TakeLast(40))}");
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    /// <summary>The replica's side: starts the portal with the settings file and answers commands until its input ends.</summary>
    public static async Task<int> ServeAsync(string settingsFile, TextReader input, TextWriter output, CancellationToken ct)
    {
        var settings = JsonSerializer.Deserialize<Dictionary<string, string?>>(await File.ReadAllTextAsync(settingsFile, ct))
            ?? throw new InvalidOperationException($"No settings in {settingsFile}.");
        await using var portal = await BenchmarkPortal.StartAsync(settings, ct);
        await Answer(output, $"ready {portal.Url}");
        while (await input.ReadLineAsync(ct) is { } line)
        {
            var parts = line.Split(' ', 2);
            try
            {
                switch (parts)
                {
                    case ["latency", var ticks]:
                        portal.SetLatency(TimeSpan.FromTicks(long.Parse(ticks, CultureInfo.InvariantCulture)));
                        await Answer(output, "latency");
                        break;
                    case ["pass", var ticks]:
                        var pass = await portal.MeasurePassAsync(new DateTime(long.Parse(ticks, CultureInfo.InvariantCulture), DateTimeKind.Utc), ct);
                        await Answer(output, $"pass {JsonSerializer.Serialize(pass)}");
                        break;
                    default:
                        await Answer(output, $"error not understood: {line}");
                        break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Answer(output, $"error {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            }
        }

        return 0;
    }

    private static async Task Answer(TextWriter output, string text)
    {
        await output.WriteLineAsync(Prefix + text);
        await output.FlushAsync();
    }
}
