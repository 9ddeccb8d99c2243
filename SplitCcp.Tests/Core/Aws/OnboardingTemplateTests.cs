using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;
using YamlDotNet.RepresentationModel;

namespace SplitCcp.Tests.Core.Aws;

public sealed partial class OnboardingTemplateTests
{
    private const string Slug = "acme-support";
    private const string ExternalId = "acme-7f3c9e2b";
    private const string PortalRole = "arn:aws:iam::111122223333:role/SplitCcpPortal";

    /// <summary>The template as CloudFormation reads it: YAML parsed by a real parser, as JSON so it can be compared.</summary>
    internal static JsonObject Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        stream.Documents.Count.ShouldBe(1);
        return ToJson(stream.Documents[0].RootNode)!.AsObject();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}."),
    };

    private static JsonObject Template(string? principal = PortalRole, AwsPartition? partition = null) =>
        Parse(OnboardingTemplate.Generate(Slug, ExternalId, principal, partition ?? AwsPartitions.Commercial));

    private static JsonObject Role(JsonObject template) => template["Resources"]![OnboardingTemplate.RoleResourceName]!.AsObject();

    private static IEnumerable<JsonObject> PolicyStatements(JsonObject template) =>
        Role(template)["Properties"]!["Policies"]!.AsArray().Single()!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject());

    /// <summary>Every AwsOperation stored in a static field anywhere in Core, public or not, nested or not: found without the catalog.</summary>
    private static List<AwsOperation> EveryDeclaredOperation() => typeof(AwsOperation).Assembly.GetTypes()
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(f => f.FieldType == typeof(AwsOperation) && !f.Name.Contains('<', StringComparison.Ordinal))
        .Select(f => (AwsOperation)f.GetValue(null)!)
        .ToList();

    [Fact]
    public void Catalog_HoldsEveryOperationDeclaredAnywhereInCore()
    {
        var declared = EveryDeclaredOperation();

        declared.ShouldNotBeEmpty();
        AwsOperationCatalog.All.ShouldBe(declared, ignoreOrder: true);
        AwsOperationCatalog.OperationClasses.Select(t => t.Name).ShouldBe(
            ["AppStreamOperations", "CloudFrontOperations", "ConnectOperations", "IamOperations", "IdentityCenterOperations", "S3Operations", "StsOperations"],
            ignoreOrder: true, "a new *Operations class is picked up without a list to keep; a missing one means the catalog stopped seeing it");
    }

    [Fact]
    public void Core_NeverBuildsAnOperationOutsideTheDeclarations()
    {
        // Gateways pass declared operations to IAwsCaller; one made up on the spot would escape the onboarding policy.
        var offenders = CoreSources.Files()
            .Where(path => Path.GetFileName(path) is not ("AwsOperations.cs" or "AwsOperation.cs"))
            .Where(path => NewOperation().IsMatch(File.ReadAllText(path)))
            .Select(path => Path.GetRelativePath(CoreSources.Root, path))
            .ToList();

        offenders.ShouldBeEmpty();
    }

    [Fact]
    public void Policy_AllowsExactlyTheIamActionsOfEveryDeclaredOperation()
    {
        var expected = EveryDeclaredOperation().SelectMany(o => o.IamActions).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var statements = PolicyStatements(Template()).ToList();
        var actions = statements.SelectMany(s => s["Action"]!.AsArray().Select(a => a!.GetValue<string>())).ToList();

        expected.ShouldNotBeEmpty();
        actions.ShouldBe(expected, ignoreOrder: true, "every action a gateway's operation needs, and nothing more");
        actions.ShouldBeUnique();
        actions.ShouldBe(actions.Order(StringComparer.Ordinal).ToList(), "sorted, so a reviewer can find an action");
        expected.ShouldContain("s3:PutObject");
        expected.ShouldContain("ds:CreateAlias");
        actions.ShouldContain("appstream:CreateStreamingURL", "go-live's test sessions stream from the tenant's stack");
        statements.ShouldAllBe(s => s.Count == 4 && (string)s["Effect"]! == "Allow" && (string)s["Resource"]! == "*" && s.ContainsKey("Sid"));
        statements.Select(s => (string)s["Sid"]!).ShouldAllBe(sid => AlphaNumeric().IsMatch(sid));
        statements.Select(s => (string)s["Sid"]!).ShouldBeUnique();
    }

    [Fact]
    public void Policy_FitsTheInlinePolicySizeLimit()
    {
        // IAM counts a role's inline policies without whitespace: at most 10,240 characters.
        var document = Role(Template())["Properties"]!["Policies"]![0]!["PolicyDocument"]!.ToJsonString();

        document.Length.ShouldBeLessThan(10_240);
    }

    [Fact]
    public void TrustPolicy_TrustsTheConfiguredPrincipalOnlyWithTheExternalId()
    {
        var template = Template();
        var properties = Role(template)["Properties"]!;

        ((string)template["AWSTemplateFormatVersion"]!).ShouldBe("2010-09-09");
        ((string)Role(template)["Type"]!).ShouldBe("AWS::IAM::Role");
        ((string)properties["RoleName"]!).ShouldBe("SplitCcpPortal-acme-support");
        JsonNode.DeepEquals(properties["AssumeRolePolicyDocument"], JsonNode.Parse($$"""
            {
              "Version": "2012-10-17",
              "Statement": [{
                "Sid": "SplitCcpPortal",
                "Effect": "Allow",
                "Principal": { "AWS": "{{PortalRole}}" },
                "Action": "sts:AssumeRole",
                "Condition": { "StringEquals": { "sts:ExternalId": "{{ExternalId}}" } }
              }]
            }
            """)).ShouldBeTrue(properties["AssumeRolePolicyDocument"]!.ToJsonString());
        template.ContainsKey("Parameters").ShouldBeFalse("the principal is known, so the customer is not asked for it");
        JsonNode.DeepEquals(template["Outputs"]![OnboardingTemplate.RoleArnOutputName]!["Value"],
            JsonNode.Parse("""{ "Fn::GetAtt": ["SplitCcpPortalRole", "Arn"] }""")).ShouldBeTrue();
        template.Select(p => p.Key).ShouldBe(["AWSTemplateFormatVersion", "Description", "Resources", "Outputs"]);
    }

    [Fact]
    public void TrustPolicy_NoConfiguredPrincipal_AsksForItAsADocumentedParameter()
    {
        var template = Template(principal: null);

        var parameter = template["Parameters"]![OnboardingTemplate.PrincipalParameterName]!;
        ((string)parameter["Type"]!).ShouldBe("String");
        ((string)parameter["Description"]!).ShouldContain("SplitCcp portal");
        ((string)parameter["AllowedPattern"]!).ShouldBe(@"^(?:[0-9]{12}|arn:aws:iam::[0-9]{12}:(?:root|(?:role|user)/[A-Za-z0-9+=,.@_/-]{1,512}))$");
        ((string)parameter["ConstraintDescription"]!).ShouldBe("a 12-digit account ID or an IAM ARN such as arn:aws:iam::111122223333:role/SplitCcpPortal");
        var statement = Role(template)["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]![0]!;
        JsonNode.DeepEquals(statement["Principal"], JsonNode.Parse("""{ "AWS": { "Ref": "PortalPrincipalArn" } }""")).ShouldBeTrue();
        ((string)statement["Condition"]!["StringEquals"]!["sts:ExternalId"]!).ShouldBe(ExternalId);
    }

    [Theory]
    [InlineData("--")]
    [InlineData("::")]
    [InlineData("@:/")]
    [InlineData("=,+.")]
    [InlineData("---")]
    [InlineData("a:b")]
    [InlineData("arn:aws:iam::123456789012:root")]
    public void ExternalId_EveryAllowedCharacter_StaysOneValue(string externalId)
    {
        // Plain YAML would read several of these as indicators (@, :, ---); quoted, each is just the value.
        var template = Parse(OnboardingTemplate.Generate(Slug, externalId, PortalRole, AwsPartitions.Commercial));

        ((string)Role(template)["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]![0]!["Condition"]!["StringEquals"]!["sts:ExternalId"]!)
            .ShouldBe(externalId);
    }

    /// <summary>Values that would add keys, end a scalar, or widen the trust, each with the parameter that must be named.</summary>
    public static TheoryData<string, string, string?, string> HostileValues => new()
    {
        { Slug, "abc\"\n  Evil: true", PortalRole, "externalId" },
        { Slug, "abc\nResources: {}", PortalRole, "externalId" },
        { Slug, "x' #", PortalRole, "externalId" },
        { Slug, "a b", PortalRole, "externalId" },
        { Slug, "ab\u2028Outputs:", PortalRole, "externalId" },
        { Slug, "{{resolve:secretsmanager:x}}", PortalRole, "externalId" },
        { Slug, "${AWS::AccountId}", PortalRole, "externalId" },
        { Slug, "a", PortalRole, "externalId" },
        { "acme\nEvil: 1", ExternalId, PortalRole, "slug" },
        { "acme\" ", ExternalId, PortalRole, "slug" },
        { "Acme", ExternalId, PortalRole, "slug" },
        { "acme:support", ExternalId, PortalRole, "slug" },
        { "../acme", ExternalId, PortalRole, "slug" },
        { Slug, ExternalId, "*", "portalPrincipal" },
        { Slug, ExternalId, "arn:aws:iam::*:root", "portalPrincipal" },
        { Slug, ExternalId, "arn:aws:iam::123:role/x", "portalPrincipal" },
        { Slug, ExternalId, "arn:aws:iam::111122223333:role/x\"\n      Evil: 1", "portalPrincipal" },
        { Slug, ExternalId, "111122223333\n", "portalPrincipal" },
        { Slug, ExternalId, "arn:aws:s3:::bucket", "portalPrincipal" },
    };

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void Generate_HostileValue_IsRefusedNamingIt(string slug, string externalId, string? principal, string parameter)
    {
        var ex = Should.Throw<ArgumentException>(() => OnboardingTemplate.Generate(slug, externalId, principal, AwsPartitions.Commercial));

        ex.ParamName.ShouldBe(parameter);
    }

    [Theory]
    [InlineData("111122223333")]
    [InlineData("arn:aws:iam::111122223333:root")]
    [InlineData("arn:aws:iam::111122223333:role/SplitCcpPortal")]
    [InlineData("arn:aws:iam::111122223333:role/service/portal-runner")]
    [InlineData("arn:aws-us-gov:iam::111122223333:user/portal")]
    public void PortalPrincipal_AccountOrIamArn_IsAcceptedByTheTemplateAndTheOptions(string principal)
    {
        OnboardingTemplate.PortalPrincipal(principal).ShouldBeNull();
        Validate(new PortalAwsOptions { PortalPrincipalArn = principal }).ShouldBeEmpty();
        var partition = principal.StartsWith("arn:aws-us-gov:", StringComparison.Ordinal) ? AwsPartitions.GovCloud : AwsPartitions.Commercial;
        var statement = Role(Template(principal, partition))["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]![0]!;
        ((string)statement["Principal"]!["AWS"]!).ShouldBe(principal);
    }

    [Fact]
    public void GovCloudTemplate_AsksForAPrincipalOfItsOwnPartition()
    {
        var parameter = Template(principal: null, AwsPartitions.GovCloud)["Parameters"]![OnboardingTemplate.PrincipalParameterName]!;
        var pattern = new Regex((string)parameter["AllowedPattern"]!);

        pattern.IsMatch("arn:aws-us-gov:iam::111122223333:role/SplitCcpPortal").ShouldBeTrue();
        pattern.IsMatch("111122223333").ShouldBeTrue();
        pattern.IsMatch("arn:aws:iam::111122223333:role/SplitCcpPortal").ShouldBeFalse("a GovCloud role cannot trust a commercial principal");
        ((string)parameter["ConstraintDescription"]!).ShouldContain("arn:aws-us-gov:iam::111122223333:role/SplitCcpPortal");
    }

    [Fact]
    public void Generate_PrincipalOfAnotherPartition_IsRefusedSayingWhy()
    {
        var ex = Should.Throw<ArgumentException>(() => OnboardingTemplate.Generate(Slug, ExternalId, PortalRole, AwsPartitions.GovCloud));

        ex.ParamName.ShouldBe("portalPrincipal");
        ex.Message.ShouldStartWith($"the portal's principal {PortalRole} is not in AWS GovCloud (US), the tenant's partition");
        OnboardingTemplate.PortalPrincipalPartition("111122223333", AwsPartitions.GovCloud).ShouldBeNull("an account ID is read in the role's partition");
    }

    [Fact]
    public void PortalAwsOptions_BadPrincipal_FailsValidationWithTheSettingName()
    {
        Validate(new PortalAwsOptions { PortalPrincipalArn = "*" }).Single().ErrorMessage!.ShouldContain("SplitCcp:Aws:PortalPrincipalArn");
        Validate(new PortalAwsOptions()).ShouldBeEmpty("unset is allowed: the template then asks for it");
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("quote \" and backslash \\")]
    [InlineData("line\nbreak\r\nand\ttab")]
    [InlineData("next line \u0085 line separator \u2028 paragraph \u2029")]
    [InlineData("# not a comment")]
    [InlineData("key: value")]
    [InlineData("- item")]
    [InlineData("&anchor *alias !tag |literal >folded {flow} [seq] %directive `backtick` @at")]
    [InlineData("emoji 🎧 and bidi \u202E override")]
    [InlineData("\0null")]
    public void Quote_AnyString_ParsesBackToExactlyThatString(string value)
    {
        // Defence in depth: even a value the rules let through could not add a key or end the scalar.
        var quoted = OnboardingTemplate.Quote(value);

        quoted.ShouldNotContain('\n');
        quoted.All(c => c is >= ' ' and <= '~').ShouldBeTrue(quoted);
        var parsed = Parse($"Key: {quoted}\nOther: \"x\"\n");
        parsed.Count.ShouldBe(2);
        ((string)parsed["Key"]!).ShouldBe(value);
    }

    [Fact]
    public void FileAndRoleNames_FollowTheSlug()
    {
        OnboardingTemplate.FileNameFor(Slug).ShouldBe("splitccp-onboarding-acme-support.yaml");
        OnboardingTemplate.RoleNameFor(new string('a', 40)).Length.ShouldBeLessThanOrEqualTo(64, "IAM role names are at most 64 characters");
    }

    private static List<ValidationResult> Validate(PortalAwsOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [GeneratedRegex(@"\bnew\s+AwsOperation\s*\(|AwsOperation\s+\w+\s*=\s*new\s*\(")]
    private static partial Regex NewOperation();

    [GeneratedRegex("^[A-Za-z0-9]+$")]
    private static partial Regex AlphaNumeric();
}
