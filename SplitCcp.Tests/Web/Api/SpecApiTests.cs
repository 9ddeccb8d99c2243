using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Web.Api;

public sealed class SpecApiTests : IAsyncLifetime, IDisposable
{
    private readonly SplitCcpWebFactory _app = new();
    private HttpClient _client = default!;
    private TenantView _tenant = default!;

    public async Task InitializeAsync()
    {
        _tenant = await _app.CreateTenantAsync("Spec Co", "spec-co");
        _client = _app.CreateApiClient(SplitCcpWebFactory.AdminToken);
    }

    /// <summary>A spec that passes every rule, as an operator would send it.</summary>
    public static JsonObject CompleteSpec() => JsonNode.Parse("""
        {
          "schemaVersion": 1,
          "awsAccountId": "123456789012",
          "connect": {
            "instanceMode": "useExisting",
            "instanceId": "bae1b13e-6e52-4e0b-9e13-769c27a1b2c3",
            "instanceAlias": "spec-co",
            "agents": [ { "email": "agent@spec.example", "firstName": "Ada", "lastName": "Agent", "routingProfile": "Basic Routing Profile", "securityProfile": "Agent" } ],
            "phoneNumber": null
          },
          "identityCenter": {
            "instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
            "region": null,
            "applicationArn": null,
            "metadataUrl": "https://portal.sso.eu-west-2.amazonaws.com/saml/metadata/MTIzNDU2Nzg5MDEyX2lucy0xMjM0",
            "metadataXml": null,
            "startUrl": "https://d-1234567890.awsapps.com/start/#/saml/default/SplitCcp/ins-1234",
            "assignedUsers": [ "agent@spec.example" ],
            "assignedGroups": []
          },
          "iam": { "samlProviderName": "SplitCcp-spec-co-IdentityCenter", "federationPolicyName": "SplitCcp-spec-co-ConnectFederation", "federationRoleName": "SplitCcp-spec-co-Agent" },
          "hosting": { "bucketName": "splitccp-spec-co-abc123", "mode": "publicBucket", "cloudFrontDomain": null },
          "ccpPages": { "hideAudioOnlyControls": true, "ringtone": true, "echoCancellation": true, "loginPopupAutoClose": true, "ccpAckTimeoutMs": 3000, "ccpSynTimeoutMs": 1000, "ccpLoadTimeoutMs": 5000 },
          "appStream": {
            "imageBuilder": { "name": "splitccp-spec-co-builder", "baseImage": "AppStream-WinServer2022-06-17-2025", "instanceType": "stream.standard.medium", "subnetIds": [], "securityGroupIds": [] },
            "imageName": "splitccp-spec-co-ccp",
            "fleet": { "name": "splitccp-spec-co-fleet", "type": "onDemand", "instanceType": "stream.standard.medium", "desiredCapacity": 2 },
            "stackName": "splitccp-spec-co-stack",
            "browser": "chrome"
          }
        }
        """)!.AsObject();

    [Fact]
    public async Task Get_NothingSaved_ReturnsGeneratedDefaults()
    {
        var response = await _client.GetAsync($"/api/tenants/{_tenant.Id}/spec");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("SplitCcp-Spec-Status").Single().ShouldBe("default");
        response.Headers.ETag!.Tag.ShouldBe("\"0\"");
        var spec = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        spec["schemaVersion"]!.GetValue<int>().ShouldBe(1);
        spec["hosting"]!["bucketName"]!.GetValue<string>().ShouldStartWith("splitccp-spec-co-");
        spec["iam"]!["federationRoleName"]!.GetValue<string>().ShouldBe("SplitCcp-spec-co-Agent");
        spec["awsAccountId"]!.GetValue<string>().Length.ShouldBe(12, "a Sandbox tenant's account ID is known");
    }

    [Fact]
    public async Task Put_CompleteSpec_IsStoredAndReadBack()
    {
        var put = await PutAsync(CompleteSpec().ToJsonString());

        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        put.Headers.ETag!.Tag.ShouldBe("\"1\"");
        var get = await _client.GetAsync($"/api/tenants/{_tenant.Id}/spec");
        get.Headers.GetValues("SplitCcp-Spec-Status").Single().ShouldBe("complete");
        JsonNode.DeepEquals(JsonNode.Parse(await get.Content.ReadAsStringAsync()), CompleteSpec()).ShouldBeTrue();
    }

    [Fact]
    public async Task Put_48000Agents_Returns400WithOneErrorAtTheAgentsList()
    {
        var spec = CompleteSpec();
        spec["connect"]!["agents"] = new JsonArray([.. Enumerable.Range(0, 48_000).Select(i => (JsonNode)new JsonObject { ["email"] = $"agent{i}@example.com" })]);

        var response = await PutAsync(spec.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = await ErrorsAsync(response);
        errors.Keys.ShouldBe(["connect.agents"]);
        errors["connect.agents"].ShouldBe(TenantSpecRules.AgentCount(48_000));
        errors["connect.agents"].ShouldStartWith("List at most 500 agents:");
    }

    [Fact]
    public async Task Put_LargestValidSpec_IsAccepted()
    {
        // Every list at its cap and every text at its longest, in characters JSON writers escape as \uXXXX: the body limit must fit it.
        var spec = CompleteSpec();
        spec["connect"]!["agents"] = new JsonArray([.. Enumerable.Range(0, TenantSpecRules.MaxAgents).Select(i => (JsonNode)new JsonObject
        {
            ["email"] = $"{i:D3}@".PadRight(64, 'a'),
            ["firstName"] = new string('<', 100),
            ["lastName"] = new string('>', 100),
            ["routingProfile"] = new string('&', 127),
            ["securityProfile"] = new string('\'', 127),
        })]);
        spec["identityCenter"]!["assignedUsers"] = new JsonArray([.. Enumerable.Range(0, TenantSpecRules.MaxAssignedUsers).Select(i => (JsonNode)$"{i:D3}".PadRight(128, '<'))]);
        spec["identityCenter"]!["assignedGroups"] = new JsonArray([.. Enumerable.Range(0, TenantSpecRules.MaxAssignedGroups).Select(i => (JsonNode)$"{i:D3}".PadRight(128, '<'))]);
        const string Open = "<EntityDescriptor><!--", Close = "--></EntityDescriptor>";
        spec["identityCenter"]!["metadataXml"] = Open + new string('<', TenantSpecRules.MetadataXmlMaxLength - Open.Length - Close.Length) + Close;
        var body = spec.ToJsonString();

        var response = await PutAsync(body);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Encoding.UTF8.GetByteCount(body).ShouldBeGreaterThan(3_000_000, "the escapes are counted");
    }

    [Fact]
    public async Task Put_BodyLargerThanTheLimit_Returns413SayingTheLimit()
    {
        var response = await PutAsync($$"""{ "schemaVersion": 1, "awsAccountId": "{{new string('1', 4 * 1024 * 1024)}}" }""");

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(413);
        problem.RootElement.GetProperty("detail").GetString()!.ShouldContain("4 MB");
        (await _client.GetAsync($"/api/tenants/{_tenant.Id}/spec")).Headers.GetValues("SplitCcp-Spec-Status").Single().ShouldBe("default", "nothing was stored");
    }

    [Fact]
    public async Task Put_ChunkedBodyLargerThanTheLimit_Returns413SayingTheLimit()
    {
        // No Content-Length: the server must stop reading at the limit rather than trust a declared size. Kestrel enforces it; the in-memory test server does not.
        using var app = new SplitCcpWebFactory().StartKestrel();
        var tenant = await app.CreateTenantAsync("Chunked Co", "chunked-co");
        var body = Encoding.UTF8.GetBytes($$"""{ "schemaVersion": 1, "awsAccountId": "{{new string('1', 4 * 1024 * 1024)}}" }""");
        using var content = new StreamContent(new UnseekableStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await app.CreateApiClient(SplitCcpWebFactory.AdminToken).PutAsync($"/api/tenants/{tenant.Id}/spec", content);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("detail").GetString()!.ShouldContain("4 MB");
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task Put_FutureSchemaVersion_IsRefusedWhole()
    {
        var spec = CompleteSpec();
        spec["schemaVersion"] = 2;
        spec["somethingNew"] = "from the future";

        var response = await PutAsync(spec.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = await ErrorsAsync(response);
        errors.Keys.ShouldBe(["schemaVersion"]);
        errors["schemaVersion"].ShouldContain("reads spec schema version 1");
        (await _client.GetAsync($"/api/tenants/{_tenant.Id}/spec")).Headers.GetValues("SplitCcp-Spec-Status").Single().ShouldBe("default", "nothing was stored");
    }

    [Fact]
    public async Task Put_MissingSchemaVersion_IsRefused()
    {
        var spec = CompleteSpec();
        spec.Remove("schemaVersion");

        var response = await PutAsync(spec.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorsAsync(response)).Keys.ShouldBe(["schemaVersion"]);
    }

    [Fact]
    public async Task Put_UnknownField_IsRefusedWithItsPath()
    {
        var spec = CompleteSpec();
        spec["hosting"]!["bucketAcl"] = "public-read";

        var response = await PutAsync(spec.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = await ErrorsAsync(response);
        errors.Keys.Single().ShouldBe("hosting.bucketAcl");
        errors.Values.Single().ShouldContain("not part of spec schema version 1");
    }

    [Fact]
    public async Task Put_WrongType_IsRefusedWithItsPath()
    {
        var spec = CompleteSpec();
        spec["appStream"]!["fleet"]!["desiredCapacity"] = "lots";

        var response = await PutAsync(spec.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorsAsync(response)).Keys.Single().ShouldBe("appStream.fleet.desiredCapacity");
    }

    [Fact]
    public async Task Put_PartialSpec_ListsEveryMissingField()
    {
        var response = await PutAsync("""{ "schemaVersion": 1, "hosting": { "bucketName": "Not_A.Bucket" } }""");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = await ErrorsAsync(response);
        errors.Keys.ShouldContain("awsAccountId");
        errors.Keys.ShouldContain("connect.instanceId");
        errors.Keys.ShouldContain("connect.instanceAlias");
        errors.Keys.ShouldNotContain("identityCenter.startUrl", "the application's values come from its console step, which may follow the first apply");
        errors.Keys.ShouldContain("iam.samlProviderName");
        errors.Keys.ShouldContain("hosting.bucketName");
        errors.Keys.ShouldContain("appStream.fleet.name");
    }

    [Theory]
    [InlineData("connect.agents[0].email", "not an e-mail <script>")]
    [InlineData("identityCenter.startUrl", "javascript:alert(1)")]
    [InlineData("identityCenter.metadataUrl", "http://portal.sso.eu-west-2.amazonaws.com/saml/metadata/x")]
    [InlineData("hosting.bucketName", "my.bucket.with.dots")]
    [InlineData("connect.instanceAlias", "d-1234567890")]
    public async Task Put_InvalidValue_ErrorIsAtThatPath(string path, string value)
    {
        var spec = CompleteSpec();
        Set(spec, path, value);

        var response = await PutAsync(spec.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorsAsync(response)).Keys.ShouldBe([path]);
    }

    [Fact]
    public async Task Put_StaleIfMatch_Returns409()
    {
        (await PutAsync(CompleteSpec().ToJsonString())).StatusCode.ShouldBe(HttpStatusCode.OK);

        var changed = CompleteSpec();
        changed["appStream"]!["fleet"]!["desiredCapacity"] = 3;
        var stale = await PutAsync(changed.ToJsonString(), ifMatch: "\"0\"");
        var fresh = await PutAsync(changed.ToJsonString(), ifMatch: "\"1\"");

        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        fresh.StatusCode.ShouldBe(HttpStatusCode.OK);
        fresh.Headers.ETag!.Tag.ShouldBe("\"2\"");
    }

    [Fact]
    public async Task Put_SameSpecAgain_KeepsItsVersion()
    {
        (await PutAsync(CompleteSpec().ToJsonString())).Headers.ETag!.Tag.ShouldBe("\"1\"");

        var again = await PutAsync(CompleteSpec().ToJsonString(), ifMatch: "\"1\"");

        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        again.Headers.ETag!.Tag.ShouldBe("\"1\"");
        (await _client.GetAsync($"/api/tenants/{_tenant.Id}/spec")).Headers.ETag!.Tag.ShouldBe("\"1\"");
    }

    [Fact]
    public async Task Put_Viewer_Returns403()
    {
        var viewer = await _app.CreateUserAsync("viewer@spec.example", Roles.Viewer, _tenant.Id);

        var response = await _app.CreateApiClient(viewer.Token).PutAsync($"/api/tenants/{_tenant.Id}/spec",
            new StringContent(CompleteSpec().ToJsonString(), Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Put_IdentityCenterInAnotherRegion_IsStoredWithItsRegion()
    {
        var spec = CompleteSpec();
        spec["identityCenter"]!["region"] = "us-east-1";
        spec["identityCenter"]!["metadataUrl"] = "https://portal.sso.us-east-1.amazonaws.com/saml/metadata/MTIzNDU2Nzg5MDEyX2lucy0xMjM0";

        var put = await PutAsync(spec.ToJsonString());

        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var stored = JsonNode.Parse(await (await _client.GetAsync($"/api/tenants/{_tenant.Id}/spec")).Content.ReadAsStringAsync())!;
        stored["identityCenter"]!["region"]!.GetValue<string>().ShouldBe("us-east-1");
    }

    [Fact]
    public async Task Put_SpecWithoutIdentityCenterRegion_IsAccepted_AndMeansTheTenantsRegion()
    {
        var spec = CompleteSpec();
        spec["identityCenter"]!.AsObject().Remove("region");

        var put = await PutAsync(spec.ToJsonString());

        put.StatusCode.ShouldBe(HttpStatusCode.OK, "a spec written before the field existed is still read");
        var stored = JsonNode.Parse(await (await _client.GetAsync($"/api/tenants/{_tenant.Id}/spec")).Content.ReadAsStringAsync())!;
        stored["identityCenter"]!["region"].ShouldBeNull();
    }

    [Fact]
    public async Task Put_MetadataUrlOfIdentityCenterInAnotherRegionThanTheOneSet_IsRefusedAtTheRegion()
    {
        var spec = CompleteSpec();
        spec["identityCenter"]!["metadataUrl"] = "https://portal.sso.us-east-1.amazonaws.com/saml/metadata/MTIzNDU2Nzg5MDEyX2lucy0xMjM0";

        var response = await PutAsync(spec.ToJsonString());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorsAsync(response)).ShouldBe(new Dictionary<string, string>
        {
            ["identityCenter.region"] = "The metadata URL is that of Identity Center in us-east-1, so that is its region: set the Identity Center region to us-east-1.",
        });
    }

    [Fact]
    public async Task Put_TenantWithAnEmulatorEndpoint_TakesTheEmulatorsMetadataUrl_AndRefusesOneItWouldNotFetch()
    {
        var tenant = await _app.CreateTenantAsync(new TenantInput
        {
            DisplayName = "Emulated", Slug = "emulated", Region = "eu-west-2", AccessMode = nameof(AwsAccessMode.AccessKeys),
            AccessKeyId = "AKIAIOSFODNN7EXAMPLE", SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", EndpointUrl = "http://localhost:4566",
        });
        var spec = CompleteSpec();
        spec["identityCenter"]!["metadataUrl"] = "http://localhost:4566/saml/metadata/MTIzNDU2";
        var real = CompleteSpec();

        var emulated = await PutAsync(spec.ToJsonString(), tenantId: tenant.Id);
        var refused = await PutAsync(real.ToJsonString(), tenantId: tenant.Id);

        emulated.StatusCode.ShouldBe(HttpStatusCode.OK, await emulated.Content.ReadAsStringAsync());
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorsAsync(refused)).ShouldBe(new Dictionary<string, string>
        {
            ["identityCenter.metadataUrl"] = "Paste the IAM Identity Center SAML metadata URL: http://localhost:4566/saml/metadata/….",
        });
    }

    private Task<HttpResponseMessage> PutAsync(string body, string? ifMatch = null, Guid? tenantId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/tenants/{tenantId ?? _tenant.Id}/spec")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return _client.SendAsync(request);
    }

    private static async Task<Dictionary<string, string>> ErrorsAsync(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("errors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value[0].GetString()!);
    }

    private static void Set(JsonObject root, string path, string value)
    {
        JsonNode node = root;
        var parts = path.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        for (var i = 0; i < parts.Length - 1; i++)
        {
            node = parts[i].StartsWith('[') ? node[int.Parse(parts[i][1..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node[parts[i]]!;
        }

        node[parts[^1]] = value;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _app.Dispose();
}
