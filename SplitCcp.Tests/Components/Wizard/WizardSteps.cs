using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Tests.Web.Api;
using SplitCcp.Web.Components.Wizard;

namespace SplitCcp.Tests.Components.Wizard;

/// <summary>What every wizard step test starts from: a valid spec, its tenant, and ways to read what shows at a field.</summary>
internal static class WizardSteps
{
    public const string Region = "eu-west-2";

    public const string Hostile = "<img src=x onerror=alert(1)>";

    /// <summary>The API tests' complete spec, read the way the API reads it: every section valid.</summary>
    public static TenantSpec ValidSpec()
    {
        var (spec, errors) = TenantSpecJson.Parse(SpecApiTests.CompleteSpec().ToJsonString());
        errors.ShouldBeEmpty();
        TenantSpecRules.Validate(spec!, SpecTarget.Of(Tenant())).ShouldBeEmpty();
        return spec!;
    }

    public static TenantView Tenant(AwsAccessMode accessMode = AwsAccessMode.Sandbox) => new(
        Guid.Parse("5f0c7d3a-2b1e-4c6d-9a8b-7e6f5d4c3b2a"), "Spec Co", "spec-co", Region, accessMode,
        RoleArn: null, ExternalId: null, AccessKeyId: null, HasSecretAccessKey: false, EndpointUrl: null,
        CreatedAt: new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc), UpdatedAt: new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc), Version: 1);

    public static IRenderedComponent<TStep> RenderStep<TStep>(
        this BunitContext ctx, TenantSpec spec, TenantView? tenant = null, bool readOnly = false,
        Action<ComponentParameterCollectionBuilder<TStep>>? more = null)
        where TStep : WizardStepBase =>
        ctx.Render<TStep>(p =>
        {
            p.Add(s => s.Spec, spec).Add(s => s.Tenant, tenant ?? Tenant()).Add(s => s.ReadOnly, readOnly);
            more?.Invoke(p);
        });

    public static Task<bool> ValidateAsync<TStep>(this IRenderedComponent<TStep> cut)
        where TStep : WizardStepBase =>
        cut.InvokeAsync(() => cut.Instance.ValidateAsync());

    /// <summary>A field's input, or a select's combobox.</summary>
    public static IElement FieldInput<TComponent>(this IRenderedComponent<TComponent> cut, string testId)
        where TComponent : IComponent =>
        cut.Find($"input[data-testid='{testId}'], [role=combobox][data-testid='{testId}']");

    /// <summary>What shows under a field: its helper text, or its error once validation failed.</summary>
    public static string FieldText<TComponent>(this IRenderedComponent<TComponent> cut, string testId)
        where TComponent : IComponent =>
        HelperText(cut, cut.FieldInput(testId));

    /// <summary>The same for a field without a test ID, found by its label.</summary>
    public static string FieldTextByLabel<TComponent>(this IRenderedComponent<TComponent> cut, string label)
        where TComponent : IComponent
    {
        var labelElement = cut.FindAll("label").Single(l => l.TextContent.Trim() == label);
        var inputId = labelElement.GetAttribute("for");
        inputId.ShouldNotBeNullOrEmpty();
        return HelperText(cut, cut.Find($"[id='{inputId}']"));
    }

    public static bool FieldIsInvalid<TComponent>(this IRenderedComponent<TComponent> cut, string testId)
        where TComponent : IComponent =>
        cut.FieldInput(testId).GetAttribute("aria-invalid") == "true";

    /// <summary>Every error message MudBlazor shows under a field.</summary>
    public static IReadOnlyList<string> ShownErrors<TComponent>(this IRenderedComponent<TComponent> cut)
        where TComponent : IComponent =>
        [.. cut.FindAll(".mud-input-control.mud-input-error .mud-input-helper-text").Select(e => e.TextContent.Trim())];

    /// <summary>
    /// The HTML the server sends when it prerenders the step: the string a browser parses. bUnit's markup is the DOM
    /// serialized again, which leaves a '&lt;' inside an attribute value as it is, so it cannot show how a value is encoded.
    /// </summary>
    public static async Task<string> PrerenderAsync<TStep>(this BunitContext ctx, TenantSpec spec, TenantView tenant, AuthorizedTenant? authorized = null)
        where TStep : WizardStepBase
    {
        await using var renderer = new HtmlRenderer(ctx.Services, ctx.Services.GetRequiredService<ILoggerFactory>());
        RenderFragment step = builder =>
        {
            builder.OpenComponent<TStep>(0);
            builder.AddComponentParameter(1, nameof(WizardStepBase.Spec), spec);
            builder.AddComponentParameter(2, nameof(WizardStepBase.Tenant), tenant);
            if (authorized is not null)
            {
                builder.AddComponentParameter(3, nameof(InstanceStep.Authorized), authorized);
            }

            builder.CloseComponent();
        };
        var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(CascadingValue<Task<AuthenticationState>>.Value)] = Task.FromResult(new AuthenticationState(new ClaimsPrincipal())),
            [nameof(CascadingValue<Task<AuthenticationState>>.IsFixed)] = true,
            [nameof(CascadingValue<Task<AuthenticationState>>.ChildContent)] = step,
        });
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<CascadingValue<Task<AuthenticationState>>>(parameters)).ToHtmlString());
    }

    /// <summary>The text boxes of a rendered step: every input an operator types into.</summary>
    public static IReadOnlyList<IElement> TextInputs<TComponent>(this IRenderedComponent<TComponent> cut)
        where TComponent : IComponent =>
        [.. cut.FindAll("input.mud-input-slot").Where(i => i.GetAttribute("type") != "hidden")];

    private static string HelperText<TComponent>(IRenderedComponent<TComponent> cut, IElement input)
        where TComponent : IComponent
    {
        var describedBy = input.GetAttribute("aria-describedby");
        describedBy.ShouldNotBeNullOrEmpty();
        return cut.Find($"[id='{describedBy}']").TextContent.Trim();
    }
}
