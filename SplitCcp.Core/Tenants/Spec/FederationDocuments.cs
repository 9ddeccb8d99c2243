using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SplitCcp.Core.Tenants.Spec;

/// <summary>
/// The IAM documents of the agents' federation: built as JSON objects and serialized, never by string concatenation,
/// so no tenant value can change their structure.
/// </summary>
public static class FederationDocuments
{
    // The documents are shown to the operator, in HTML-encoded text, as well as sent to AWS: the default encoder's escapes
    // (\u003C for the placeholders' angle brackets) would be shown as they are.
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Lets the federated agent get a Connect federation token for their own user only (the original guide's policy).</summary>
    public static string FederationPolicy(SetupValues values)
    {
        var resource = $"{values.ConnectInstanceArn ?? "<Connect instance ARN>"}/user/${{aws:userid}}";
        var document = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(new JsonObject
            {
                ["Sid"] = "SplitCcpConnectFederation",
                ["Effect"] = "Allow",
                ["Action"] = "connect:GetFederationToken",
                ["Resource"] = new JsonArray(resource),
            }),
        };
        return document.ToJsonString(s_indented);
    }

    /// <summary>The federation role's trust policy: only SAML sign-ins through the tenant's provider, for its partition's AWS sign-in audience.</summary>
    public static string TrustPolicy(SetupValues values)
    {
        var document = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(new JsonObject
            {
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["Federated"] = values.SamlProviderArn ?? "<SAML provider ARN>" },
                ["Action"] = "sts:AssumeRoleWithSAML",
                ["Condition"] = new JsonObject
                {
                    ["StringEquals"] = new JsonObject { ["SAML:aud"] = values.AcsUrl },
                },
            }),
        };
        return document.ToJsonString(s_indented);
    }
}
