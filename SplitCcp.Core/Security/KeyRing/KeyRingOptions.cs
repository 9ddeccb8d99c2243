namespace SplitCcp.Core.Security.KeyRing;

/// <summary>
/// How the Data Protection key ring (kept in the database) is encrypted, from <c>SplitCcp:DataProtection</c>: with a key file
/// or a certificate kept apart from the database, so that a copy of the database alone decrypts no stored secret and forges
/// no sign-in cookie. Production refuses to start with neither, unless <see cref="AllowUnprotectedKeys"/> says so.
/// </summary>
public sealed class KeyRingOptions
{
    public const string SectionName = "SplitCcp:DataProtection";

    /// <summary>A file holding a 256-bit key in base64 (<c>openssl rand -base64 32</c>), kept outside the data folder.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Creates <see cref="KeyFile"/> on first start when it does not exist; always so in Development.</summary>
    public bool GenerateKeyFile { get; set; }

    /// <summary>A PFX file whose certificate (RSA, with its private key) encrypts the key ring instead of a key file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The password of <see cref="CertificatePath"/>; a secret, never logged.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Lets Production run with the key ring unencrypted in the database: an explicit choice, never a default.</summary>
    public bool AllowUnprotectedKeys { get; set; }

    internal string? KeyFilePath => string.IsNullOrWhiteSpace(KeyFile) ? null : KeyFile.Trim();

    internal string? CertificateFilePath => string.IsNullOrWhiteSpace(CertificatePath) ? null : CertificatePath.Trim();
}
