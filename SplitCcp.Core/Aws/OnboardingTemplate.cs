using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

/// <summary>The portal's own AWS identity, from <c>SplitCcp:Aws</c>.</summary>
public sealed class PortalAwsOptions
{
    public const string SectionName = "SplitCcp:Aws";

    /// <summary>
    /// The account ID or IAM principal ARN (role, user or account root) that assumes tenants' roles: the identity of
    /// this installation's default credential chain. Unset, onboarding templates ask the customer for it as a parameter.
    /// </summary>
    [RegularExpression(OnboardingTemplate.PortalPrincipalPattern,
        ErrorMessage = "SplitCcp:Aws:PortalPrincipalArn must be a 12-digit account ID or an IAM ARN such as arn:aws:iam::111122223333:role/SplitCcpPortal.")]
    public string? PortalPrincipalArn { get; set; }
}

/// <summary>
/// The CloudFormation template (YAML) a customer deploys for the AssumeRole access mode: a role the portal may assume
/// (trusting the portal's principal, only with the tenant's external ID) with an inline policy allowing exactly the IAM
/// actions of <see cref="AwsOperationCatalog.All"/>. Every value is validated and written as a double-quoted YAML scalar
/// with everything outside printable ASCII escaped, so no tenant value can change the template's structure.
/// </summary>
public static partial class OnboardingTemplate
{
    public const string ContentType = "application/yaml";
    public const string RoleNamePrefix = "SplitCcpPortal-";
    public const string RoleResourceName = "SplitCcpPortalRole";
    public const string PolicyName = "SplitCcpPortalAccess";
    public const string PrincipalParameterName = "PortalPrincipalArn";
    public const string RoleArnOutputName = "RoleArn";

    /// <summary>An account ID, or an IAM role, user or account-root ARN. Valid for .NET and for CloudFormation's AllowedPattern.</summary>
    public const string PortalPrincipalPattern =
        @"^(?:[0-9]{12}|arn:aws(?:-cn|-us-gov)?:iam::[0-9]{12}:(?:root|(?:role|user)/[A-Za-z0-9+=,.@_/-]{1,512}))$";

    /// <summary><see cref="PortalPrincipalPattern"/> within one partition: a role trusts only principals of its own partition.</summary>
    public static string PortalPrincipalPatternIn(AwsPartition partition) =>
        PortalPrincipalPattern.Replace("arn:aws(?:-cn|-us-gov)?:", $"arn:{partition.Id}:", StringComparison.Ordinal);

    /// <summary>Why a role in <paramref name="partition"/> cannot trust the portal's principal, or null when it can (an account ID is read in the role's own partition).</summary>
    public static string? PortalPrincipalPartition(string? portalPrincipal, AwsPartition partition) =>
        portalPrincipal is null || !portalPrincipal.StartsWith("arn:", StringComparison.Ordinal)
            || portalPrincipal.StartsWith($"arn:{partition.Id}:", StringComparison.Ordinal)
            ? null
            : $"the portal's principal {portalPrincipal} is not in {partition.Name}, the tenant's partition, and a role trusts only principals of its own partition";

    private const string Indent = "  ";

    public static string RoleNameFor(string slug) => RoleNamePrefix + slug;

    public static string FileNameFor(string slug) => $"splitccp-onboarding-{slug}.yaml";

    /// <summary>The message to show for a bad portal principal, or null when it is valid.</summary>
    public static string? PortalPrincipal(string? value) =>
        value is not null && PortalPrincipalRegex().IsMatch(value) && !value.EndsWith('\n')
            ? null
            : "Use a 12-digit account ID or an IAM ARN such as arn:aws:iam::111122223333:role/SplitCcpPortal.";

    /// <param name="slug">The tenant's slug; the role is named <c>SplitCcpPortal-&lt;slug&gt;</c>.</param>
    /// <param name="externalId">The tenant's external ID, the trust policy's condition.</param>
    /// <param name="portalPrincipal">The principal that assumes the role; null makes it a parameter the customer fills in.</param>
    /// <param name="partition">The tenant's partition, where the role is made.</param>
    /// <exception cref="ArgumentException">A value the rules refuse: nothing unchecked reaches the YAML.</exception>
    public static string Generate(string slug, string externalId, string? portalPrincipal, AwsPartition partition)
    {
        Require(nameof(slug), TenantRules.Slug(slug));
        Require(nameof(externalId), TenantRules.ExternalId(externalId));
        if (portalPrincipal is not null)
        {
            Require(nameof(portalPrincipal), PortalPrincipal(portalPrincipal) ?? PortalPrincipalPartition(portalPrincipal, partition));
        }

        var example = $"arn:{partition.Id}:iam::111122223333:role/SplitCcpPortal";

        var yaml = new StringBuilder();
        void Line(int depth, string text) => yaml.Append(string.Concat(Enumerable.Repeat(Indent, depth))).Append(text).Append('\n');
        void Pair(int depth, string key, string value) => Line(depth, $"{Key(key)}: {Quote(value)}");

        Line(0, $"# SplitCcp onboarding for tenant {Quote(slug)}. Create a CloudFormation stack from this template in the customer's");
        Line(0, "# AWS account (it names an IAM role: acknowledge CAPABILITY_NAMED_IAM), then enter the stack's RoleArn output as");
        Line(0, "# the tenant's role ARN in SplitCcp.");
        Pair(0, "AWSTemplateFormatVersion", "2010-09-09");
        Pair(0, "Description", $"SplitCcp portal access for tenant {slug}: a role the portal assumes with the tenant's external ID, allowed only the actions the portal calls.");

        if (portalPrincipal is null)
        {
            Line(0, "Parameters:");
            Line(1, $"{PrincipalParameterName}:");
            Pair(2, "Type", "String");
            Pair(2, "Description",
                "The account ID or IAM ARN of the SplitCcp portal's own identity (the role or user it runs as), from the portal's operator. Only it may assume the role, and only with the external ID.");
            Pair(2, "AllowedPattern", PortalPrincipalPatternIn(partition));
            Pair(2, "ConstraintDescription", $"a 12-digit account ID or an IAM ARN such as {example}");
        }

        Line(0, "Resources:");
        Line(1, $"{RoleResourceName}:");
        Pair(2, "Type", "AWS::IAM::Role");
        Line(2, "Properties:");
        Pair(3, "RoleName", RoleNameFor(slug));
        Pair(3, "Description", $"Assumed by the SplitCcp portal to configure split CCP for tenant {slug}.");
        Line(3, "AssumeRolePolicyDocument:");
        Pair(4, "Version", "2012-10-17");
        Line(4, "Statement:");
        Line(5, $"- {Key("Sid")}: {Quote("SplitCcpPortal")}");
        Pair(6, "Effect", "Allow");
        Line(6, "Principal:");
        if (portalPrincipal is null)
        {
            Line(7, "AWS:");
            Pair(8, "Ref", PrincipalParameterName);
        }
        else
        {
            Pair(7, "AWS", portalPrincipal);
        }

        Pair(6, "Action", "sts:AssumeRole");
        Line(6, "Condition:");
        Line(7, "StringEquals:");
        Pair(8, "sts:ExternalId", externalId);
        Line(3, "Policies:");
        Line(4, $"- {Key("PolicyName")}: {Quote(PolicyName)}");
        Line(5, "PolicyDocument:");
        Pair(6, "Version", "2012-10-17");
        Line(6, "Statement:");
        foreach (var group in AwsOperationCatalog.IamActions.GroupBy(ServiceOf, StringComparer.Ordinal))
        {
            Line(7, $"- {Key("Sid")}: {Quote(StatementId(group.Key))}");
            Pair(8, "Effect", "Allow");
            Line(8, "Action:");
            foreach (var action in group)
            {
                Line(9, $"- {Quote(action)}");
            }

            Pair(8, "Resource", "*");
        }

        Line(0, "Outputs:");
        Line(1, $"{RoleArnOutputName}:");
        Pair(2, "Description", "Enter this as the tenant's role ARN in SplitCcp.");
        Line(2, "Value:");
        Line(3, $"{Quote("Fn::GetAtt")}:");
        Line(4, $"- {Quote(RoleResourceName)}");
        Line(4, $"- {Quote("Arn")}");
        return yaml.ToString();
    }

    /// <summary>
    /// A YAML double-quoted scalar: quote and backslash escaped, and every character outside printable ASCII written as a
    /// \u or \U escape, so line breaks (including U+0085, U+2028, U+2029), tabs and the like stay inside the value.
    /// </summary>
    internal static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append(@"\\");
                    break;
                case >= 0x20 and <= 0x7E:
                    quoted.Append((char)rune.Value);
                    break;
                case <= 0xFFFF:
                    quoted.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}");
                    break;
                default:
                    quoted.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:X8}");
                    break;
            }
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>Keys are the template's own constants; any that is not a plain word is quoted all the same.</summary>
    private static string Key(string key) => key.All(char.IsAsciiLetterOrDigit) ? key : Quote(key);

    private static string ServiceOf(string action) => action[..action.IndexOf(':', StringComparison.Ordinal)];

    /// <summary>"ds" → "SplitCcpDs": statement IDs are alphanumeric.</summary>
    private static string StatementId(string service) =>
        "SplitCcp" + string.Concat(service.Split('-').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    private static void Require(string parameter, string? error)
    {
        if (error is not null)
        {
            throw new ArgumentException(error, parameter);
        }
    }

    [GeneratedRegex(PortalPrincipalPattern, RegexOptions.CultureInvariant)]
    private static partial Regex PortalPrincipalRegex();
}
