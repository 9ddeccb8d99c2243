using System.Text.RegularExpressions;

namespace SplitCcp.Core.Tenants;

/// <summary>
/// One rule per tenant field, each returning the message to show at that field or null.
/// The API and the UI both call these, so a value refused in one is refused in the other with the same words.
/// </summary>
public static partial class TenantRules
{
    public const int DisplayNameMaxLength = 100;
    public const int SlugMaxLength = 40;

    public static string? DisplayName(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Enter a display name.";
        }

        if (value.Trim().Length > DisplayNameMaxLength)
        {
            return $"Use at most {DisplayNameMaxLength} characters.";
        }

        return HiddenCharacters(value);
    }

    /// <summary>The rule every display name follows (<see cref="DisplayText.HiddenCharacters"/>), kept here for the spec's rules that use it.</summary>
    public static string? HiddenCharacters(string value) => DisplayText.HiddenCharacters(value);

    public static string? Slug(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Enter a slug, for example acme-support.";
        }

        if (value.Length is < 3 or > SlugMaxLength)
        {
            return $"Use 3 to {SlugMaxLength} characters.";
        }

        return SlugPattern().IsMatch(value)
            ? null
            : "Use lowercase letters, digits and single hyphens; start with a letter and end with a letter or digit.";
    }

    public static string? Region(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Choose the AWS region of the tenant's Amazon Connect instance.";
        }

        if (AwsRegions.IsOffered(value))
        {
            return AwsPartitions.For(value).NotSupported;
        }

        return AwsRegions.IsAwsRegionCode(value)
            ? $"Amazon Connect and AppStream 2.0 do not both run in {value}. Choose one of: {string.Join(", ", AwsRegions.Supported)}."
            : $"'{value}' is not an AWS region code. Use a code such as us-east-1 or eu-west-2.";
    }

    public static string? AccessMode(string? value) =>
        TryParseAccessMode(value, out _)
            ? null
            : $"Choose one of: {string.Join(", ", Enum.GetNames<AwsAccessMode>())}.";

    public static string? RoleArn(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Enter the ARN of the role the portal assumes, for example arn:aws:iam::123456789012:role/SplitCcpAccess.";
        }

        return RoleArnPattern().IsMatch(value)
            ? null
            : "Enter an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>.";
    }

    public static string? ExternalId(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Enter the external ID agreed with the customer (2 to 1224 characters).";
        }

        return ExternalIdPattern().IsMatch(value)
            ? null
            : "Use 2 to 1224 characters: letters, digits and + = , . @ : / -.";
    }

    public static string? AccessKeyId(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "Enter the access key ID.";
        }

        return AccessKeyIdPattern().IsMatch(value) ? null : "An access key ID is 16 to 128 uppercase letters and digits, such as AKIA….";
    }

    public static string? SecretAccessKey(string? value, bool hasStoredSecret)
    {
        if (string.IsNullOrEmpty(value))
        {
            return hasStoredSecret ? null : "Enter the secret access key.";
        }

        return value.Length is >= 16 and <= 128 && !value.Any(char.IsWhiteSpace)
            ? null
            : "A secret access key is 16 to 128 characters with no spaces.";
    }

    public static string? EndpointUrl(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "Enter an absolute http:// or https:// URL, for example http://localhost:5000.";
        }

        return string.IsNullOrEmpty(uri.UserInfo) && string.IsNullOrEmpty(uri.Fragment)
            ? null
            : "Leave credentials and fragments out of the endpoint URL.";
    }

    public static bool TryParseAccessMode(string? value, out AwsAccessMode mode) => EnumNames.TryParse(value, out mode);

    /// <summary>Every rule that applies to <paramref name="input"/>, keyed by the camel-case field name.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(TenantInput input, bool hasStoredSecret)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Check(string field, string? error)
        {
            if (error is not null)
            {
                errors[field] = [error];
            }
        }

        Check("displayName", DisplayName(input.DisplayName));
        Check("slug", Slug(input.Slug));
        Check("region", Region(input.Region));
        Check("accessMode", AccessMode(input.AccessMode));
        Check("endpointUrl", EndpointUrl(input.EndpointUrl));

        if (TryParseAccessMode(input.AccessMode, out var mode))
        {
            switch (mode)
            {
                case AwsAccessMode.AssumeRole:
                    Check("roleArn", RoleArn(input.RoleArn));
                    Check("externalId", ExternalId(input.ExternalId));
                    break;
                case AwsAccessMode.AccessKeys:
                    Check("accessKeyId", AccessKeyId(input.AccessKeyId));
                    Check("secretAccessKey", SecretAccessKey(input.SecretAccessKey, hasStoredSecret));
                    break;
            }
        }

        return errors;
    }

    [GeneratedRegex(@"^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    [GeneratedRegex(@"^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:iam::[0-9]{12}:role/(?:[A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@:/-]{2,1224}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[A-Z0-9]{16,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccessKeyIdPattern();
}
