using System.ComponentModel.DataAnnotations;
using Microsoft.Data.Sqlite;

namespace SplitCcp.Core.Persistence;

/// <summary>The database engines the portal runs on.</summary>
public enum StorageProvider
{
    /// <summary>One SQLite file in the data folder, for one portal process: the default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database, which several portal replicas may share.</summary>
    PostgreSql,
}

public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Storage";

    /// <summary><c>Sqlite</c> (the default) or <c>PostgreSql</c>, which needs <see cref="ConnectionString"/>.</summary>
    public string Provider { get; set; } = nameof(StorageProvider.Sqlite);

    /// <summary>Folder for the SQLite file; relative paths are resolved against the app's content root. Created on first start.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>A full connection string: on SQLite it overrides <see cref="DataDirectory"/>, on PostgreSQL it is required.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The engine <see cref="Provider"/> names; only valid options are used, so it names one.</summary>
    internal StorageProvider Engine => Enum.GetValues<StorageProvider>().Single(p => p.ToString().Equals(Provider, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var engines = Enum.GetNames<StorageProvider>();
        if (!engines.Contains(Provider, StringComparer.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"{SectionName}:Provider must be {string.Join(" or ", engines)}, not '{Provider}'.", [nameof(Provider)]);
        }
        else if (Engine == StorageProvider.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                $"{SectionName}:Provider PostgreSql needs {SectionName}:ConnectionString, such as Host=db;Database=splitccp;Username=splitccp;Password=….",
                [nameof(ConnectionString)]);
        }
    }

    internal string ResolveConnectionString(string contentRoot)
    {
        if (Engine == StorageProvider.PostgreSql)
        {
            return PostgreSqlConnectionString;
        }

        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }

        var folder = Path.GetFullPath(DataDirectory, contentRoot);
        var database = Path.Combine(folder, "splitccp.db");
        CreateOwnerOnly(folder, database);
        return $"Data Source={database};Foreign Keys=True";
    }

    /// <summary>
    /// The connection string every pooled PostgreSQL connection of the portal uses: the setting with the pool defaults of
    /// <see cref="WithPoolDefaults"/>. Whatever opens pooled connections apart from the database context (the live-update
    /// sender) takes this, so its connections are prepared and not reset like the others.
    /// </summary>
    internal string PostgreSqlConnectionString => WithPoolDefaults(ConnectionString ?? "");

    /// <summary>
    /// How many statements each PostgreSQL connection keeps prepared unless the connection string says otherwise. The
    /// portal runs the same few hundred statements over and over (a drift pass runs dozens per tenant); unprepared, the
    /// server parses and plans each one every time, which took about half of its CPU in a pass over many tenants.
    /// </summary>
    internal const int DefaultMaxAutoPrepare = 256;

    /// <summary>
    /// The operator's PostgreSQL connection string with two Npgsql settings the portal's way of working wants, each unless
    /// the string sets it:
    /// <list type="bullet">
    /// <item><c>Max Auto Prepare=256</c>: a statement run five times on a connection is prepared there
    /// (<c>Max Auto Prepare=0</c> turns it off, for a pooler in transaction mode that cannot keep prepared statements).</item>
    /// <item><c>No Reset On Close=true</c>: a connection back in the pool is not reset, which costs the server seven
    /// commands at its next use, 40 times in each tenant's drift check. The portal leaves nothing on a pooled connection to
    /// reset: it sets no session settings there, and its advisory lock and <c>LISTEN</c> have connections of their own.</item>
    /// </list>
    /// </summary>
    private static string WithPoolDefaults(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString;
        }

        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!given.Contains("NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }

        return settings.ConnectionString;
    }

    /// <summary>The full path of the database file <paramref name="connectionString"/> opens; null for an in-memory database or a URI.</summary>
    internal static string? DatabaseFileOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:" || builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? null
            : Path.GetFullPath(builder.DataSource);
    }

    /// <summary>
    /// The data folder (0700) and an empty database file (0600), created with those modes rather than changed afterwards, so
    /// no other user of the machine can read the database, not even for a moment. SQLite takes an empty file for a new
    /// database, and gives its -wal and -shm files the main file's mode. Existing ones are left as the operator set them.
    /// </summary>
    private static void CreateOwnerOnly(string folder, string database)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            using var _ = new FileStream(database, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(database))
        {
            // The database already exists.
        }
    }
}
