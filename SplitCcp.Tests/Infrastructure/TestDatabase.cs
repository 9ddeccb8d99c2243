using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// A test's own database on the engine under test: a SQLite file in the test's folder, or a database of its own on the
/// test run's <see cref="PostgreSqlServer"/>. <see cref="Drop"/> removes it (the folder is the test's to remove).
/// </summary>
internal sealed class TestDatabase
{
    private TestDatabase(StorageProvider provider, string connectionString)
    {
        Provider = provider;
        ConnectionString = connectionString;
    }

    public StorageProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The portal's settings for this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [$"{StorageOptions.SectionName}:Provider"] = Provider.ToString(),
        [$"{StorageOptions.SectionName}:ConnectionString"] = ConnectionString,
    };

    /// <param name="folder">The test's folder, where a SQLite database is the portal's own splitccp.db.</param>
    public static TestDatabase Create(StorageProvider provider, string folder) => provider switch
    {
        StorageProvider.PostgreSql => new TestDatabase(provider, PostgreSqlServer.Shared.CreateDatabase()),
        _ => new TestDatabase(provider, $"Data Source={Path.Combine(folder, "splitccp.db")}"),
    };

    /// <summary>A connection to the database, past EF and the portal's services.</summary>
    public DbConnection Connect() => Provider switch
    {
        StorageProvider.PostgreSql => new NpgsqlConnection(ConnectionString),
        _ => new SqliteConnection(ConnectionString),
    };

    /// <summary>Reads one value straight from the database; integers as <see cref="long"/>, as SQLite gives them, and NULL as null.</summary>
    public async Task<object?> QueryScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        var result = await command.ExecuteScalarAsync();
        return result switch
        {
            DBNull => null,
            int or short or byte => Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture),
            _ => result,
        };
    }

    /// <summary>True when <paramref name="text"/> appears anywhere in the files that hold the database, its log included.</summary>
    public bool FilesContain(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        foreach (var path in Files())
        {
            byte[] content;
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                content = buffer.ToArray();
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            if (content.AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private IEnumerable<string> Files()
    {
        if (Provider == StorageProvider.PostgreSql)
        {
            return PostgreSqlServer.Shared.FilesOf(ConnectionString);
        }

        // SQLite removes the -wal and -shm files when the last connection closes, after moving the log into the main file;
        // so the log files are read first, a vanished one is skipped, and the main file is read last, when it already holds
        // whatever the vanished log held.
        var database = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        return Directory.EnumerateFiles(Path.GetDirectoryName(database)!, $"{Path.GetFileName(database)}*")
            .OrderBy(path => path == database ? 1 : 0);
    }

    /// <summary>Closes the pooled connections to the database and, on PostgreSQL, drops it.</summary>
    public void Drop()
    {
        if (Provider == StorageProvider.PostgreSql)
        {
            PostgreSqlServer.Shared.DropDatabase(ConnectionString);
            return;
        }

        using var connection = new SqliteConnection(ConnectionString);
        SqliteConnection.ClearPool(connection);
    }
}
