using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SplitCcp.Tests.Infrastructure;

internal static class TestCertificates
{
    /// <summary>Writes a self-signed RSA certificate with its private key to a password-protected PFX file, as an operator would provide one.</summary>
    public static string WritePfx(string path, string password, string dnsName)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={dnsName}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }
}
