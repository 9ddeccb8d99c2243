using SplitCcp.Core.Tenants;

namespace SplitCcp.Tests.Core.Tenants;

public sealed class TenantRulesTests
{
    private const string SlugPatternError =
        "Use lowercase letters, digits and single hyphens; start with a letter and end with a letter or digit.";

    private const string EndpointFormatError = "Enter an absolute http:// or https:// URL, for example http://localhost:5000.";

    public static TheoryData<string> ValidDisplayNames => new()
    {
        "Acme Support",
        "A",
        "Ünïcødé GmbH & Co. KG",
        "株式会社アクメ",
        "  Acme  ",
        new string('x', TenantRules.DisplayNameMaxLength),
        "  " + new string('x', TenantRules.DisplayNameMaxLength) + "  ",
    };

    public static TheoryData<string?, string> InvalidDisplayNames => new()
    {
        { null, "Enter a display name." },
        { "", "Enter a display name." },
        { "   ", "Enter a display name." },
        { "\t\n", "Enter a display name." },
        { new string('x', TenantRules.DisplayNameMaxLength + 1), "Use at most 100 characters." },
        { "acme\n", "Remove control characters such as tabs or line breaks." },
        { "ac\tme", "Remove control characters such as tabs or line breaks." },
        { "acme\0", "Remove control characters such as tabs or line breaks." },
        { "\u001b[31macme", "Remove control characters such as tabs or line breaks." },
        { "acme\u202Etroppus", "Remove invisible formatting characters such as direction marks or line separators." },
        { "acme\u2028support", "Remove invisible formatting characters such as direction marks or line separators." },
        { "ac\u200Bme", "Remove invisible formatting characters such as direction marks or line separators." },
    };

    public static TheoryData<string> ValidSlugs => new()
    {
        "acme",
        "abc",
        "acme-support",
        "a1b2",
        "acme-2024",
        "a-b-c",
        "a" + new string('b', TenantRules.SlugMaxLength - 1),
    };

    public static TheoryData<string?, string> InvalidSlugs => new()
    {
        { null, "Enter a slug, for example acme-support." },
        { "", "Enter a slug, for example acme-support." },
        { "   ", "Enter a slug, for example acme-support." },
        { "ab", "Use 3 to 40 characters." },
        { "a" + new string('b', TenantRules.SlugMaxLength), "Use 3 to 40 characters." },
        { "Acme", SlugPatternError },
        { "ACME-SUPPORT", SlugPatternError },
        { "acme--support", SlugPatternError },
        { "1acme", SlugPatternError },
        { "-acme", SlugPatternError },
        { "acme-", SlugPatternError },
        { "acme\n", SlugPatternError },
        { "acme support", SlugPatternError },
        { "acme_support", SlugPatternError },
        { "acme.io", SlugPatternError },
        { "ácme", SlugPatternError },
        { "acme١٢٣", SlugPatternError },
        { "١٢٣", SlugPatternError },
        { "ａｃｍｅ", SlugPatternError },
        { "acme/../x", SlugPatternError },
    };

    [Theory]
    [MemberData(nameof(ValidDisplayNames))]
    public void DisplayName_ValidValue_ReturnsNull(string value) =>
        TenantRules.DisplayName(value).ShouldBeNull();

    [Theory]
    [MemberData(nameof(InvalidDisplayNames))]
    public void DisplayName_InvalidValue_ReturnsMessage(string? value, string expected) =>
        TenantRules.DisplayName(value).ShouldBe(expected);

    [Theory]
    [MemberData(nameof(ValidSlugs))]
    public void Slug_ValidValue_ReturnsNull(string value) =>
        TenantRules.Slug(value).ShouldBeNull();

    [Theory]
    [MemberData(nameof(InvalidSlugs))]
    public void Slug_InvalidValue_ReturnsMessage(string? value, string expected) =>
        TenantRules.Slug(value).ShouldBe(expected);

    [Theory]
    [InlineData("us-east-1")]
    [InlineData("us-west-2")]
    [InlineData("eu-west-2")]
    [InlineData("eu-central-1")]
    [InlineData("ap-southeast-2")]
    [InlineData("ap-northeast-1")]
    [InlineData("ca-central-1")]
    public void Region_WhereConnectAndAppStreamBothRun_ReturnsNull(string value) =>
        TenantRules.Region(value).ShouldBeNull();

    [Theory]
    [InlineData("eu-west-1")]
    [InlineData("ap-south-1")]
    [InlineData("us-east-2")]
    [InlineData("af-south-1")]
    [InlineData("cn-north-1")]
    [InlineData("us-gov-east-1")]
    [InlineData("us-iso-east-1")]
    public void Region_AnAwsRegionWithoutConnectOrAppStream_SaysSoAndListsTheRegionsThatHaveBoth(string value) =>
        TenantRules.Region(value).ShouldBe(
            $"Amazon Connect and AppStream 2.0 do not both run in {value}. Choose one of: ap-northeast-1, ap-northeast-2, ap-southeast-1, "
            + "ap-southeast-2, ca-central-1, eu-central-1, eu-west-2, us-east-1, us-west-2.");

    [Fact]
    public void Region_GovCloud_IsRefusedWithThePartitionsReason()
    {
        var message = TenantRules.Region("us-gov-west-1");

        message.ShouldBe(AwsPartitions.GovCloud.NotSupported);
        message!.ShouldContain("AWS GovCloud (US)");
    }

    [Theory]
    [InlineData("us-east-9")]
    [InlineData("US-EAST-1")]
    [InlineData(" us-east-1")]
    [InlineData("us-east-1\n")]
    [InlineData("useast1")]
    [InlineData("mars-north-1")]
    [InlineData("Europe (London)")]
    [InlineData("*")]
    [InlineData("١")]
    public void Region_UnknownCode_ReturnsMessageNamingTheValue(string value) =>
        TenantRules.Region(value).ShouldBe($"'{value}' is not an AWS region code. Use a code such as us-east-1 or eu-west-2.");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Region_Missing_AsksToChooseRegion(string? value) =>
        TenantRules.Region(value).ShouldBe("Choose the AWS region of the tenant's Amazon Connect instance.");

    [Fact]
    public void AwsRegions_All_AreThePartitionsRegionsGroupedByPartition()
    {
        AwsRegions.All.ShouldBe([.. AwsPartitions.Commercial.Regions, .. AwsPartitions.GovCloud.Regions]);
        AwsRegions.All.ShouldAllBe(code => AwsRegions.IsOffered(code));
        AwsRegions.DisplayName("eu-west-2").ShouldBe("Europe (London)");
        AwsRegions.DisplayName("us-east-9").ShouldBe("us-east-9");
    }

    [Theory]
    [InlineData("Sandbox", AwsAccessMode.Sandbox)]
    [InlineData("AssumeRole", AwsAccessMode.AssumeRole)]
    [InlineData("DefaultCredentials", AwsAccessMode.DefaultCredentials)]
    [InlineData("AccessKeys", AwsAccessMode.AccessKeys)]
    [InlineData("assumerole", AwsAccessMode.AssumeRole)]
    [InlineData("ACCESSKEYS", AwsAccessMode.AccessKeys)]
    public void TryParseAccessMode_ModeName_ParsesIgnoringCase(string value, AwsAccessMode expected)
    {
        TenantRules.TryParseAccessMode(value, out var mode).ShouldBeTrue();
        mode.ShouldBe(expected);
        TenantRules.AccessMode(value).ShouldBeNull();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("3")]
    [InlineData("99")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("0x1")]
    [InlineData("١")]
    [InlineData("Root")]
    [InlineData("Assume Role")]
    [InlineData("AssumeRole,DefaultCredentials")]
    [InlineData("Sandbox, AssumeRole")]
    [InlineData("AccessKeys,")]
    public void AccessMode_NotAModeName_ReturnsListOfModes(string? value)
    {
        TenantRules.AccessMode(value).ShouldBe("Choose one of: Sandbox, AssumeRole, DefaultCredentials, AccessKeys.");
        TenantRules.TryParseAccessMode(value, out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/SplitCcpAccess")]
    [InlineData("arn:aws:iam::123456789012:role/service-role/path/Role_Name+=,.@-")]
    [InlineData("arn:aws-cn:iam::123456789012:role/SplitCcp")]
    [InlineData("arn:aws-us-gov:iam::123456789012:role/SplitCcp")]
    [InlineData("arn:aws-iso-b:iam::123456789012:role/SplitCcp")]
    public void RoleArn_ValidRoleArn_ReturnsNull(string value) =>
        TenantRules.RoleArn(value).ShouldBeNull();

    [Theory]
    [InlineData("arn:aws:iam::12345678901:role/X")]
    [InlineData("arn:aws:iam::1234567890123:role/X")]
    [InlineData("arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/X")]
    [InlineData("arn:aws:iam::123456789012:role/X\n")]
    [InlineData("arn:aws:iam::123456789012:user/X")]
    [InlineData("arn:aws:sts::123456789012:assumed-role/X/session")]
    [InlineData("arn:aws:iam::123456789012:role/")]
    [InlineData("arn:aws:iam::123456789012:role//X")]
    [InlineData("arn:aws:iam::123456789012:role/X Y")]
    [InlineData("arn:aws:iam::123456789012:role/X;rm -rf /")]
    [InlineData("ARN:AWS:IAM::123456789012:role/X")]
    [InlineData("arn:aws-fake:iam::123456789012:role/X")]
    [InlineData(" arn:aws:iam::123456789012:role/X")]
    [InlineData("SplitCcpAccess")]
    public void RoleArn_NotAnIamRoleArn_ReturnsFormatMessage(string value) =>
        TenantRules.RoleArn(value).ShouldBe("Enter an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>.");

    [Fact]
    public void RoleArn_RoleNameOver64Characters_ReturnsFormatMessage()
    {
        TenantRules.RoleArn("arn:aws:iam::123456789012:role/" + new string('r', 64)).ShouldBeNull();
        TenantRules.RoleArn("arn:aws:iam::123456789012:role/" + new string('r', 65))
            .ShouldBe("Enter an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>.");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void RoleArn_Missing_AsksForTheArn(string? value) =>
        TenantRules.RoleArn(value).ShouldBe("Enter the ARN of the role the portal assumes, for example arn:aws:iam::123456789012:role/SplitCcpAccess.");

    [Theory]
    [InlineData("ab")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("team+ops=1,a.b@c:d/e-f_g")]
    public void ExternalId_ValidValue_ReturnsNull(string value) =>
        TenantRules.ExternalId(value).ShouldBeNull();

    [Fact]
    public void ExternalId_LengthBoundaries_AcceptsUpTo1224Characters()
    {
        TenantRules.ExternalId(new string('e', 1224)).ShouldBeNull();
        TenantRules.ExternalId(new string('e', 1225)).ShouldBe("Use 2 to 1224 characters: letters, digits and + = , . @ : / -.");
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ab cd")]
    [InlineData("abc\n")]
    [InlineData("ünicode")]
    [InlineData("<script>")]
    [InlineData("id;drop")]
    [InlineData("١٢٣")]
    public void ExternalId_InvalidCharactersOrLength_ReturnsFormatMessage(string value) =>
        TenantRules.ExternalId(value).ShouldBe("Use 2 to 1224 characters: letters, digits and + = , . @ : / -.");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void ExternalId_Missing_AsksForTheExternalId(string? value) =>
        TenantRules.ExternalId(value).ShouldBe("Enter the external ID agreed with the customer (2 to 1224 characters).");

    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE")]
    [InlineData("AKIA000000000000")]
    [InlineData("ASIA1234567890ABCDEF")]
    public void AccessKeyId_ValidValue_ReturnsNull(string value) =>
        TenantRules.AccessKeyId(value).ShouldBeNull();

    [Fact]
    public void AccessKeyId_128Characters_ReturnsNullAnd129ReturnsMessage()
    {
        TenantRules.AccessKeyId(new string('A', 128)).ShouldBeNull();
        TenantRules.AccessKeyId(new string('A', 129)).ShouldBe("An access key ID is 16 to 128 uppercase letters and digits, such as AKIA….");
    }

    [Theory]
    [InlineData("akiaiosfodnn7example")]
    [InlineData("AKIA00000000000")]
    [InlineData("AKIAIOSFODNN7EXAMPLE\n")]
    [InlineData("AKIA-IOSFODNN7EXAMPLE")]
    [InlineData("AKIA IOSFODNN7EXAMPLE")]
    [InlineData("AKIA١٢٣٤٥٦٧٨٩٠١٢٣٤")]
    public void AccessKeyId_InvalidValue_ReturnsFormatMessage(string value) =>
        TenantRules.AccessKeyId(value).ShouldBe("An access key ID is 16 to 128 uppercase letters and digits, such as AKIA….");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void AccessKeyId_Missing_AsksForTheKeyId(string? value) =>
        TenantRules.AccessKeyId(value).ShouldBe("Enter the access key ID.");

    [Theory]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", false)]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true)]
    [InlineData("0123456789abcdef", false)]
    [InlineData("", true)]
    [InlineData(null, true)]
    public void SecretAccessKey_ValidOrKeptValue_ReturnsNull(string? value, bool hasStoredSecret) =>
        TenantRules.SecretAccessKey(value, hasStoredSecret).ShouldBeNull();

    [Theory]
    [InlineData("", false, "Enter the secret access key.")]
    [InlineData(null, false, "Enter the secret access key.")]
    [InlineData("short", false, "A secret access key is 16 to 128 characters with no spaces.")]
    [InlineData("short", true, "A secret access key is 16 to 128 characters with no spaces.")]
    [InlineData("0123456789abcde", false, "A secret access key is 16 to 128 characters with no spaces.")]
    [InlineData("with a space 0123456789", false, "A secret access key is 16 to 128 characters with no spaces.")]
    [InlineData("wJalrXUtnFEMI/K7MDENG\n", true, "A secret access key is 16 to 128 characters with no spaces.")]
    [InlineData("                ", true, "A secret access key is 16 to 128 characters with no spaces.")]
    public void SecretAccessKey_InvalidValue_ReturnsMessage(string? value, bool hasStoredSecret, string expected) =>
        TenantRules.SecretAccessKey(value, hasStoredSecret).ShouldBe(expected);

    [Fact]
    public void SecretAccessKey_LengthBoundaries_AcceptsUpTo128Characters()
    {
        TenantRules.SecretAccessKey(new string('s', 128), hasStoredSecret: false).ShouldBeNull();
        TenantRules.SecretAccessKey(new string('s', 129), hasStoredSecret: true)
            .ShouldBe("A secret access key is 16 to 128 characters with no spaces.");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("http://localhost:5000")]
    [InlineData("https://moto.internal:4566/")]
    [InlineData("http://127.0.0.1:4566/path?region=us-east-1")]
    [InlineData("HTTPS://EXAMPLE.COM")]
    [InlineData("http://[::1]:5000")]
    public void EndpointUrl_EmptyOrHttpUrl_ReturnsNull(string? value) =>
        TenantRules.EndpointUrl(value).ShouldBeNull();

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("JavaScript:alert(document.cookie)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("ftp://example.com")]
    [InlineData("localhost:5000")]
    [InlineData("//example.com")]
    [InlineData("not a url")]
    [InlineData("http//localhost")]
    [InlineData("http://local\nhost")]
    public void EndpointUrl_NotAnAbsoluteHttpUrl_ReturnsFormatMessage(string value) =>
        TenantRules.EndpointUrl(value).ShouldBe(EndpointFormatError);

    [Theory]
    [InlineData("http://user:pw@host")]
    [InlineData("https://user@example.com:4566")]
    [InlineData("http://localhost:5000/#fragment")]
    public void EndpointUrl_CredentialsOrFragment_ReturnsMessage(string value) =>
        TenantRules.EndpointUrl(value).ShouldBe("Leave credentials and fragments out of the endpoint URL.");

    [Fact]
    public void Validate_ValidSandboxInput_ReturnsNoErrors() =>
        TenantRules.Validate(ValidInput("Sandbox"), hasStoredSecret: false).ShouldBeEmpty();

    [Theory]
    [InlineData("Sandbox", new string[0])]
    [InlineData("DefaultCredentials", new string[0])]
    [InlineData("AssumeRole", new[] { "roleArn", "externalId" })]
    [InlineData("AccessKeys", new[] { "accessKeyId", "secretAccessKey" })]
    public void Validate_ModeFieldsMissing_ReportsOnlyTheFieldsOfThatMode(string mode, string[] expectedKeys)
    {
        var errors = TenantRules.Validate(ValidInput(mode), hasStoredSecret: false);

        errors.Keys.Order(StringComparer.Ordinal).ShouldBe(expectedKeys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_EveryFieldInvalid_KeysAreCamelCaseWithTheRuleMessages()
    {
        var input = new TenantInput
        {
            DisplayName = "acme\n",
            Slug = "Bad--Slug",
            Region = "us-east-9",
            AccessMode = "AssumeRole",
            RoleArn = "arn:aws:iam::123:role/x",
            ExternalId = "x",
            AccessKeyId = "nope",
            SecretAccessKey = "nope",
            EndpointUrl = "javascript:alert(1)",
        };

        var errors = TenantRules.Validate(input, hasStoredSecret: false);

        errors.Keys.Order(StringComparer.Ordinal).ShouldBe(["displayName", "endpointUrl", "externalId", "region", "roleArn", "slug"]);
        errors["displayName"].ShouldBe([TenantRules.DisplayName(input.DisplayName)!]);
        errors["slug"].ShouldBe([SlugPatternError]);
        errors["region"].ShouldBe([TenantRules.Region(input.Region)!]);
        errors["roleArn"].ShouldBe([TenantRules.RoleArn(input.RoleArn)!]);
        errors["externalId"].ShouldBe([TenantRules.ExternalId(input.ExternalId)!]);
        errors["endpointUrl"].ShouldBe([EndpointFormatError]);
    }

    [Fact]
    public void Validate_UnknownAccessMode_ReportsAccessModeAndNoModeFields()
    {
        var input = ValidInput("AssumeRole,DefaultCredentials") with { AccessKeyId = "bad", SecretAccessKey = "" };

        var errors = TenantRules.Validate(input, hasStoredSecret: false);

        errors.Keys.ShouldBe(["accessMode"]);
    }

    [Fact]
    public void Validate_AccessKeysWithStoredSecretAndNoNewSecret_ReturnsNoErrors()
    {
        var input = ValidInput("AccessKeys") with { AccessKeyId = "AKIAIOSFODNN7EXAMPLE", SecretAccessKey = "" };

        TenantRules.Validate(input, hasStoredSecret: true).ShouldBeEmpty();
        TenantRules.Validate(input, hasStoredSecret: false).Keys.ShouldBe(["secretAccessKey"]);
    }

    [Fact]
    public void Validate_SandboxWithJunkInOtherModesFields_IgnoresThem()
    {
        var input = ValidInput("Sandbox") with
        {
            RoleArn = "not an arn",
            ExternalId = "!",
            AccessKeyId = "lower",
            SecretAccessKey = "x",
        };

        TenantRules.Validate(input, hasStoredSecret: false).ShouldBeEmpty();
    }

    private static TenantInput ValidInput(string accessMode) => new()
    {
        DisplayName = "Acme Support",
        Slug = "acme-support",
        Region = "eu-west-2",
        AccessMode = accessMode,
    };
}
