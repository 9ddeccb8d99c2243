namespace SplitCcp.Core.Sandbox;

/// <summary>
/// The Sandbox's one source of randomness (faults, generated IDs, phone numbers), seedable so tests are deterministic.
/// Thread-safe.
/// </summary>
public sealed class SandboxRandom(int? seed = null)
{
    private const string Digits = "0123456789";
    private const string LowerHex = "0123456789abcdef";
    private const string UpperAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string LowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";

    private readonly Random _random = seed is { } s ? new Random(s) : new Random();
    private readonly Lock _lock = new();

    public double NextDouble()
    {
        lock (_lock)
        {
            return _random.NextDouble();
        }
    }

    public string Hex(int length) => Chars(length, LowerHex);

    public string DigitString(int length) => Chars(length, Digits);

    public string UpperAlnum(int length) => Chars(length, UpperAlphanumeric);

    public string LowerAlnum(int length) => Chars(length, LowerAlphanumeric);

    /// <summary>A version-4 GUID from this generator, in AWS's lower-case form.</summary>
    public string NewId()
    {
        var bytes = new byte[16];
        lock (_lock)
        {
            _random.NextBytes(bytes);
        }

        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new System.Guid(bytes, bigEndian: true).ToString();
    }

    private string Chars(int length, string alphabet)
    {
        lock (_lock)
        {
            return string.Create(length, (_random, alphabet), static (span, state) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = state.alphabet[state._random.Next(state.alphabet.Length)];
                }
            });
        }
    }
}
