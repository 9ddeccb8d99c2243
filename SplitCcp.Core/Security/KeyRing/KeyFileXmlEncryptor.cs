using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace SplitCcp.Core.Security.KeyRing;

/// <summary>
/// Encrypts each key of the Data Protection key ring with AES-256-GCM under the key file's key, so the key ring in the
/// database is useless without that file. The element names the key by a fingerprint, so a wrong key file is reported as
/// such rather than as a broken element.
/// </summary>
internal sealed class KeyFileXmlEncryptor(KeyRingKey key) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var sealedBytes = new byte[nonce.Length + plaintext.Length + AesGcm.TagByteSizes.MaxSize];
        nonce.CopyTo(sealedBytes, 0);
        using (var aes = new AesGcm(key.Bytes, AesGcm.TagByteSizes.MaxSize))
        {
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(nonce.Length, plaintext.Length), sealedBytes.AsSpan(nonce.Length + plaintext.Length), KeyRingKey.AssociatedData);
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement("encryptedKey",
            new XAttribute("keyFingerprint", key.Fingerprint),
            new XElement("value", Convert.ToBase64String(sealedBytes)));
        return new EncryptedXmlInfo(element, typeof(KeyFileXmlDecryptor));
    }
}

/// <summary>The other half of <see cref="KeyFileXmlEncryptor"/>; Data Protection creates it by type name from the stored element.</summary>
internal sealed class KeyFileXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetRequiredService<KeyRingProtection>().Key
            ?? throw new CryptographicException($"The Data Protection key ring is encrypted with a key file, and none is configured: set {KeyRingOptions.SectionName}:KeyFile to it.");

        var fingerprint = (string?)encryptedElement.Attribute("keyFingerprint");
        if (!string.Equals(fingerprint, key.Fingerprint, StringComparison.Ordinal))
        {
            throw new CryptographicException($"This Data Protection key was encrypted with another key file (fingerprint {fingerprint}) than the one configured ({key.Fingerprint}).");
        }

        var sealedBytes = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        if (sealedBytes.Length < nonceSize + tagSize)
        {
            throw new CryptographicException("The encrypted Data Protection key is truncated.");
        }

        var plaintext = new byte[sealedBytes.Length - nonceSize - tagSize];
        using (var aes = new AesGcm(key.Bytes, tagSize))
        {
            aes.Decrypt(sealedBytes.AsSpan(0, nonceSize), sealedBytes.AsSpan(nonceSize, plaintext.Length), sealedBytes.AsSpan(nonceSize + plaintext.Length), plaintext, KeyRingKey.AssociatedData);
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
