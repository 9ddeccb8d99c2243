using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SplitCcp.Benchmark;

/// <summary>
/// A throwaway PostgreSQL server on this machine, for the tests and the benchmark: <c>initdb</c> into a temp folder and
/// <c>pg_ctl start</c> on a free loopback port, once per process that uses it, with one database per test or benchmark run
/// (<see cref="CreateDatabase"/>, <see cref="DropDatabase"/>). Stopped and removed when that process exits; a watcher started
/// with it does the same if the process is killed. initdb
/// refuses to run as root, so as root (in CI) the server runs as the <c>postgres</c> system user, owning its folder.
/// Durability is off (fsync, full-page writes): the server holds nothing worth keeping past a crash.
/// </summary>
internal sealed class PostgreSqlServer
{
    private const string User = "splitccp";

    private static readonly Lazy<PostgreSqlServer> s_shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _folder;
    private readonly string _bin;
    private readonly bool _asPostgresUser;

    private PostgreSqlServer(string folder, string bin, bool asPostgresUser, int port)
    {
        _folder = folder;
        _bin = bin;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    /// <summary>This process's server, started on first use.</summary>
    public static PostgreSqlServer Shared => s_shared.Value;

    public int Port { get; }

    /// <summary>The server's data folder: every database's files and the write-ahead log.</summary>
    public string DataFolder => Path.Combine(_folder, "data");

    /// <summary>A connection string to <paramref name="database"/> as the server's one user, who owns every database.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        Username = User,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates an empty database of a new name and returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = $"splitccp_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE \"{name}\"");
        return ConnectionString(name);
    }

    /// <summary>Drops the database, closing this process's pooled connections to it and ending any others.</summary>
    public void DropDatabase(string connectionString)
    {
        using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        Execute($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\" WITH (FORCE)");
    }

    /// <summary>
    /// The files that hold <paramref name="connectionString"/>'s database, its own folder and the write-ahead log, once a
    /// checkpoint has written everything committed into them (the server keeps recent writes in memory until then).
    /// </summary>
    public IEnumerable<string> FilesOf(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("CHECKPOINT", connection);
        command.ExecuteNonQuery();
        command.CommandText = "SELECT oid FROM pg_database WHERE datname = current_database()";
        var oid = Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture)!;
        return Directory.EnumerateFiles(Path.Combine(DataFolder, "base", oid)).Concat(Directory.EnumerateFiles(Path.Combine(DataFolder, "pg_wal")));
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static PostgreSqlServer Start()
    {
        var bin = FindBinaries();
        var folder = Path.Combine(Path.GetTempPath(), "splitccp-postgres", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var asPostgresUser = Environment.IsPrivilegedProcess;
        var server = new PostgreSqlServer(folder, bin, asPostgresUser, FreePort());
        if (asPostgresUser)
        {
            server.Run("chown", "postgres:postgres", folder);
        }

        server.RunServerTool("initdb", "-D", server.DataFolder, "-U", User, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync");
        server.RunServerTool("pg_ctl", "-D", server.DataFolder, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start", "-o",
            $"-p {server.Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c max_connections=400 "
            + "-c fsync=off -c full_page_writes=off -c synchronous_commit=off");
        server.WatchOwnerProcess();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    /// <summary>Stops the server and removes its folder should the process that started it die without running its exit handlers.</summary>
    private void WatchOwnerProcess()
    {
        var stop = string.Join(' ', StopCommand().Select(Quote));
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop}; rm -rf {Quote(_folder)}";
        using var watcher = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
    }

    private void Stop()
    {
        try
        {
            Run(StopCommand());
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string[] StopCommand() => AsServerUser([Path.Combine(_bin, "pg_ctl"), "-D", DataFolder, "-m", "immediate", "-w", "stop"]);

    private void RunServerTool(string tool, params string[] arguments) => Run(AsServerUser([Path.Combine(_bin, tool), .. arguments]));

    private string[] AsServerUser(string[] command) => _asPostgresUser ? ["runuser", "-u", "postgres", "--", .. command] : command;

    private void Run(params string[] command)
    {
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_folder, "server.log");
            throw new InvalidOperationException(
                $"{string.Join(' ', command)} exited with {process.ExitCode}:\n{output.Result}\n{error}\n{(File.Exists(log) ? File.ReadAllText(log) : "")}");
        }
    }

    /// <summary>The folder of initdb and pg_ctl: PATH's, else the newest of Debian's /usr/lib/postgresql/N/bin.</summary>
    private static string FindBinaries()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, "initdb"))
            .FirstOrDefault(File.Exists);
        if (onPath is not null)
        {
            return Path.GetDirectoryName(new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath)!;
        }

        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(folder => Path.Combine(folder, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0)
                .FirstOrDefault()
            : null;
        return debian ?? throw new InvalidOperationException(
            "A throwaway PostgreSQL server needs initdb and pg_ctl: install the postgresql package (apt-get install postgresql).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Quote(string value) => $"'{value.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
