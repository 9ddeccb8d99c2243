using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace SplitCcp.Core.Mail;

/// <summary>How the portal sends mail, from <c>SplitCcp:Mail</c>. No host: the portal sends none, and shows links to the operator instead.</summary>
public sealed class MailOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Mail";

    /// <summary>The SMTP server, such as <c>smtp.example.com</c>.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public MailSecurity Security { get; set; } = MailSecurity.StartTls;

    /// <summary>Signs in to the server when set.</summary>
    public string? UserName { get; set; }

    /// <summary>Never logged nor shown.</summary>
    public string? Password { get; set; }

    /// <summary>The sender, such as <c>SplitCcp &lt;portal@msp.example&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>
    /// The portal's address as its users reach it, such as <c>https://portal.msp.example</c>, for the links in mail: set by
    /// <see cref="PortalAddress.SettingName"/>, which notifications use too (this section's own key is still read). Never
    /// taken from a request: a request's Host header is the sender's to choose, and a reset link must not point elsewhere.
    /// </summary>
    public string? PortalUrl { get; set; }

    /// <summary>How long connecting, signing in and sending may take together.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    /// <summary>The portal's address without a trailing slash, for links; null when mail is not configured.</summary>
    internal Uri? PortalBase => IsConfigured && Uri.TryCreate(PortalUrl?.TrimEnd('/') + "/", UriKind.Absolute, out var uri) ? uri : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out _))
        {
            yield return new ValidationResult($"{SectionName}:From must be the sender's address, such as portal@msp.example, when {SectionName}:Host is set.", [nameof(From)]);
        }

        if (!Uri.TryCreate(PortalUrl, UriKind.Absolute, out var portal) || portal.Scheme is not ("https" or "http"))
        {
            yield return new ValidationResult(
                $"{PortalAddress.SettingName} must be the portal's address as its users reach it, such as https://portal.msp.example, when {SectionName}:Host is set.",
                [nameof(PortalUrl)]);
        }

        if (!string.IsNullOrEmpty(Password) && string.IsNullOrWhiteSpace(UserName))
        {
            yield return new ValidationResult($"{SectionName}:Password is set without {SectionName}:UserName.", [nameof(UserName)]);
        }
    }
}

/// <summary>How the connection to the SMTP server is protected.</summary>
public enum MailSecurity
{
    /// <summary>Plain connection upgraded with STARTTLS, usually on port 587; a server that does not offer it is refused.</summary>
    StartTls,

    /// <summary>TLS from the first byte, usually on port 465.</summary>
    SslOnConnect,

    /// <summary>No encryption, for a relay on the same host or network only.</summary>
    None,
}
