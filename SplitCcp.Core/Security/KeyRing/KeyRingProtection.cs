using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SplitCcp.Core.Security.KeyRing;

/// <summary>
/// The key file's key, which encrypts new keys of the key ring and decrypts stored ones; read (or created) when Data
/// Protection first needs it, after the options were validated. Keys written before protection was configured stay
/// readable: Data Protection reads an unencrypted key as it is.
/// </summary>
internal sealed class KeyRingProtection
{
    public KeyRingProtection(IOptions<KeyRingOptions> options, IHostEnvironment environment)
    {
        var settings = options.Value;
        if (settings.KeyFilePath is { } keyFile)
        {
            Key = new KeyRingKey(settings.GenerateKeyFile || environment.IsDevelopment() ? KeyFile.ReadOrCreate(keyFile) : KeyFile.Read(keyFile));
        }
    }

    public KeyRingKey? Key { get; }
}

/// <summary>The key file's key, with a fingerprint that tells one key file from another without revealing it.</summary>
internal sealed class KeyRingKey(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    public string Fingerprint { get; } = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

    /// <summary>Binds the ciphertext to this use, so nothing else encrypted under the same key can pass for a key ring element.</summary>
    public static ReadOnlySpan<byte> AssociatedData => "SplitCcp.DataProtection.KeyRing.v1"u8;
}

internal static class KeyRingCertificate
{
    /// <summary>The certificate with its private key, or what is wrong with the file, in the operator's words.</summary>
    public static (X509Certificate2? Certificate, string? Problem) TryLoad(string path, string? password)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot load the certificate {path} ({ex.Message.TrimEnd('.')}); check {KeyRingOptions.SectionName}:CertificatePassword.");
        }

        if (certificate.GetRSAPrivateKey() is null)
        {
            certificate.Dispose();
            return (null, $"the certificate {path} has no RSA private key; the key ring needs one to be read back.");
        }

        return (certificate, null);
    }

}

/// <summary>What makes the options unusable, checked at start-up before anything is written.</summary>
internal sealed class KeyRingOptionsValidator(IHostEnvironment environment) : IValidateOptions<KeyRingOptions>
{
    private const string Section = KeyRingOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, KeyRingOptions options)
    {
        if (options.KeyFilePath is { } keyFile)
        {
            if (options.CertificateFilePath is not null)
            {
                return ValidateOptionsResult.Fail($"Set either {Section}:KeyFile or {Section}:CertificatePath, not both.");
            }

            if (File.Exists(keyFile))
            {
                return KeyFile.TryRead(keyFile).Problem is { } problem ? ValidateOptionsResult.Fail($"{Section}:KeyFile: {problem}") : ValidateOptionsResult.Success;
            }

            return options.GenerateKeyFile || environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"{Section}:KeyFile: there is no key file at {keyFile}. Restore it from its backup (without it no stored secret can be read), or create a new one with 'openssl rand -base64 32' or {Section}:GenerateKeyFile=true for a new installation.");
        }

        if (options.CertificateFilePath is { } certificate)
        {
            if (!File.Exists(certificate))
            {
                return ValidateOptionsResult.Fail($"{Section}:CertificatePath: there is no certificate at {certificate}.");
            }

            var (loaded, problem) = KeyRingCertificate.TryLoad(certificate, options.CertificatePassword);
            loaded?.Dispose();
            return problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail($"{Section}:CertificatePath: {problem}");
        }

        return environment.IsProduction() && !options.AllowUnprotectedKeys
            ? ValidateOptionsResult.Fail(
                $"The Data Protection keys (they encrypt stored AWS secret keys and sign the sign-in cookie) would be kept unencrypted in the database: set {Section}:KeyFile to a key file kept outside the data folder, or {Section}:CertificatePath to a PFX certificate, or {Section}:AllowUnprotectedKeys=true to run without.")
            : ValidateOptionsResult.Success;
    }
}

internal static class KeyRingServiceCollectionExtensions
{
    public static void AddKeyRingProtection(this IDataProtectionBuilder dataProtection, IConfiguration configuration)
    {
        var services = dataProtection.Services;
        services.AddOptions<KeyRingOptions>().BindConfiguration(KeyRingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<KeyRingOptions>, KeyRingOptionsValidator>();
        services.AddSingleton<KeyRingProtection>();
        services.AddOptions<KeyManagementOptions>().Configure<KeyRingProtection>((options, protection) =>
        {
            if (protection.Key is { } key)
            {
                options.XmlEncryptor = new KeyFileXmlEncryptor(key);
            }
        });

        // Data Protection takes the certificate when it is set up, not later from options; one that does not load is left to
        // the options' validation, which stops the start with the reason.
        var settings = configuration.GetSection(KeyRingOptions.SectionName).Get<KeyRingOptions>();
        if (settings is { KeyFilePath: null, CertificateFilePath: { } path } && File.Exists(path)
            && KeyRingCertificate.TryLoad(path, settings.CertificatePassword) is { Certificate: { } certificate })
        {
            dataProtection.ProtectKeysWithCertificate(certificate);
        }
    }
}
