using System.Security.Cryptography;
using System.Text;

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
    /// (not changed afterwards), and never overwriting one another process created at the same moment, such as a replica
    /// sharing the key folder. The file is created under its own name with an exclusive create, which every file system
    /// honours, rather than renamed into place: a rename that must not overwrite needs hard links, and where a file system
    /// has none .NET falls back to a check then a rename, in which two replicas can each think they made the key.
    /// </summary>
    public static byte[] ReadOrCreate(string path) => ReadOrCreate(path, TimeSpan.FromSeconds(5));

    internal static byte[] ReadOrCreate(string path, TimeSpan waitForWriter)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var file = new FileStream(path, options);
                file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)) + "\n"));
                file.Flush(flushToDisk: true);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Created by another process in the meantime: that one is the key, perhaps still being written.
            }
        }

        // A replica that lost the race may look while the winner is between its create and its one write: wait for the
        // line rather than fail on an empty file. A file that stays unusable is reported as it is.
        var deadline = DateTime.UtcNow + waitForWriter;
        while (true)
        {
            var (key, problem) = TryRead(path);
            if (key is not null)
            {
                return key;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new CryptographicException($"The Data Protection key file is unusable: {problem}");
            }

            Thread.Sleep(20);
        }
    }
}
