using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Core.Persistence;

public sealed class StorageOptions
{
    public const string SectionName = "SplitCcp:Storage";

    /// <summary>Folder for the SQLite file; relative paths are resolved against the app's content root. Created on first start.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>A full connection string overrides <see cref="DataDirectory"/>.</summary>
    public string? ConnectionString { get; set; }

    internal string ResolveConnectionString(string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }

        var folder = Path.GetFullPath(DataDirectory, contentRoot);
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "splitccp.db")};Foreign Keys=True";
    }
}
