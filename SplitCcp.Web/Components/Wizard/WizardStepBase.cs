using Microsoft.AspNetCore.Components;
using MudBlazor;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Web.Components.Wizard;

/// <summary>
/// One wizard step: edits its section of the spec in place and validates it with the same rules the API uses
/// (<see cref="TenantSpecRules"/>) before the operator may go on.
/// </summary>
public abstract class WizardStepBase : ComponentBase
{
    private Dictionary<string, string[]> _errors = [];

    [Parameter, EditorRequired]
    public TenantSpec Spec { get; set; } = default!;

    [Parameter, EditorRequired]
    public TenantView Tenant { get; set; } = default!;

    [Parameter]
    public bool ReadOnly { get; set; }

    /// <summary>Raised when a value changes, so the page can refresh what depends on it (derived values, the preview).</summary>
    [Parameter]
    public EventCallback SpecChanged { get; set; }

    public abstract SpecSection Section { get; }

    protected MudForm? Form { get; set; }

    protected SetupValues Values => SetupValues.For(Tenant.Region, Spec);

    /// <summary>The tenant the spec is for, as the rules that depend on its region and endpoint read it.</summary>
    protected SpecTarget Target => SpecTarget.Of(Tenant);

    public async Task<bool> ValidateAsync()
    {
        _errors = new Dictionary<string, string[]>(TenantSpecRules.Validate(Spec, Target, Section));
        foreach (var (path, message) in StepErrors())
        {
            _errors.TryAdd(path, [message]);
        }

        if (Form is not null)
        {
            await Form.ValidateAsync();
        }

        StateHasChanged();
        return _errors.Count == 0 && (Form?.IsValid ?? true);
    }

    /// <summary>What only the step can tell from what it read of the account (the spec's rules cannot call AWS).</summary>
    protected virtual IEnumerable<(string Path, string Message)> StepErrors() => [];

    /// <summary>Shows errors found elsewhere (the server's, on save) at their fields.</summary>
    public async Task ShowErrorsAsync(IReadOnlyDictionary<string, string[]> errors)
    {
        _errors = new Dictionary<string, string[]>(errors);
        if (Form is not null)
        {
            await Form.ValidateAsync();
        }

        StateHasChanged();
    }

    /// <summary>A field validator: the field's own rule, else an error recorded for its path by the last section check.</summary>
    protected Func<string?, string?> Check(string path, Func<string?, string?> rule) => value => rule(value) ?? Error(path);

    protected Func<int, string?> CheckNumber(string path, Func<int, string?> rule) => value => rule(value) ?? Error(path);

    protected string? Error(string path) => _errors.TryGetValue(path, out var messages) ? messages[0] : null;

    protected Task ChangedAsync()
    {
        _errors.Clear();
        return SpecChanged.InvokeAsync();
    }
}
