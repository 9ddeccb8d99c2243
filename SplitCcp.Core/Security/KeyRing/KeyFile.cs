using System.Security.Cryptography;

namespace SplitCcp.Core.Security.KeyRing;

/// <summary>The key file: 32 random bytes in base64 on one line, the same as <c>openssl rand -base64 32</c> writes.</summary>
internal static class KeyFile
{
    public const int KeyBytes = 32;

    /// <summary>The key in <paramref name="path"/>, or null with what is wrong with the file, in the operator's words.</summary>
    public static (byte[]? Key, string? Problem) TryRead(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot read {path}: {ex.Message}");
        }

        try
        {
            var key = Convert.FromBase64String(text.Trim());
            return key.Length == KeyBytes ? (key, null) : (null, $"{path} holds {key.Length} bytes, not {KeyBytes}: make it with 'openssl rand -base64 32'.");
        }
        catch (FormatException)
        {
            return (null, $"{path} is not base64: make it with 'openssl rand -base64 32'.");
        }
    }

    public static byte[] Read(string path) =>
        TryRead(path) is var (key, problem) && key is not null ? key : throw new CryptographicException($"The Data Protection key file is unusable: {problem}");

    /// <summary>
    /// Reads the key file, creating it first when it does not exist: readable by this user only from the moment it exists
    /// (not changed afterwards), whole from the moment it has its name (written under another name first), and never
    /// overwriting one another process created at the same moment, such as a replica sharing the key folder.
    /// </summary>
    public static byte[] ReadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(folder);
            var draft = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using (var writer = new StreamWriter(draft, options))
                {
                    writer.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
                }

                File.Move(draft, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Created by another process in the meantime: that one is the key.
            }
            finally
            {
                File.Delete(draft);
            }
        }

        return Read(path);
    }
}
