using MudBlazor;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Web.Components.Wizard;

namespace SplitCcp.Web.Components.Pages.Tenants;

public sealed partial class TenantSetupPage
{
    private TenantView? _tenant;
    private TenantSpec? _spec;
    private int _version;
    private int _active;

    // The furthest step the saved setup allows: every step of a complete one, of a draft the steps saved so far and the
    // next. The titles of later steps are disabled.
    private int _reached;
    private bool _busy;
    private bool _finished;
    private DateTime? _savedAt;

    /// <summary>Whether what is saved is a draft; a complete setup stays complete as its steps are saved.</summary>
    private bool _draft;
    private string? _conflict;
    private List<BreadcrumbItem> _crumbs = [];
    private InstanceStep? _instance;
    private IdentityCenterStep? _identityCenter;
    private IamStep? _iam;
    private HostingStep? _hosting;
    private CcpPagesStep? _ccpPages;
    private AppStreamStep? _appStream;

    private IReadOnlyList<WizardStepBase?> Steps => [_instance, _identityCenter, _iam, _hosting, _ccpPages, _appStream];

    protected override async Task OnTenantAllowedAsync()
    {
        if (await Specs.GetAsync(Authorized) is not { } found)
        {
            return;
        }

        _tenant = found.Tenant;

        // A private copy: the operator's edits live here until a step is saved.
        _spec = TenantSpecJson.Parse(TenantSpecJson.Serialize(found.Record.Spec)).Spec;
        _version = found.Record.Version;
        _reached = found.Record.IsDraft ? Math.Clamp(found.Record.WizardStep, 0, Steps.Count) : Steps.Count;
        _active = _reached;
        _savedAt = found.Record.UpdatedAt;
        _draft = found.Record.IsDraft;
        _crumbs = [new("Tenants", "/tenants"), new(_tenant.DisplayName, $"/tenants/{TenantId}"), new("Setup", null, disabled: true)];
    }

    private async Task ReloadAsync()
    {
        _conflict = null;
        await OnTenantAllowedAsync();
    }

    /// <summary>Clicking a step title, or Enter on it: back to any step, forward only as far as the saved setup reaches.</summary>
    private Task PreviewAsync(StepperInteractionEventArgs args)
    {
        if (args.Action != StepAction.Activate || args.StepIndex > _reached)
        {
            args.Cancel = true;
        }

        return Task.CompletedTask;
    }

    private Task BackAsync()
    {
        _active = Math.Max(0, _active - 1);
        return Task.CompletedTask;
    }

    /// <summary>Validates the step being left and saves the draft; on the review step, saves the whole setup.</summary>
    private async Task ForwardAsync()
    {
        var index = _active;
        if (index < Steps.Count && Steps[index] is { } step && !await step.ValidateAsync())
        {
            Snackbar.Add("Some values need fixing before you go on.", Severity.Warning);
            return;
        }

        _busy = true;
        try
        {
            var result = index < Steps.Count
                ? await Specs.SaveDraftAsync(Authorized, _spec!, Math.Max(_reached, index + 1), _version)
                : await Specs.SaveCompleteAsync(Authorized, _spec!, _version);
            switch (result)
            {
                case SpecSaveResult.Saved saved:
                    _version = saved.Record.Version;
                    _savedAt = saved.Record.UpdatedAt;
                    _draft = saved.Record.IsDraft;
                    _reached = saved.Record.IsDraft ? Math.Max(_reached, index + 1) : Steps.Count;
                    if (index < Steps.Count)
                    {
                        _active = index + 1;
                    }
                    else
                    {
                        _finished = true;
                        Snackbar.Add("Setup saved.", Severity.Success);
                    }

                    break;
                case SpecSaveResult.Invalid invalid:
                    await ShowErrorsAsync(invalid.Errors);
                    break;
                case SpecSaveResult.Conflict conflict:
                    _conflict = conflict.Message;
                    break;
                default:
                    Navigation.NavigateTo("/tenants");
                    break;
            }
        }
        catch (TenantAccessDeniedException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ShowErrorsAsync(IReadOnlyDictionary<string, string[]> errors)
    {
        foreach (var step in Steps.OfType<WizardStepBase>())
        {
            var mine = errors.Where(e => TenantSpecRules.SectionOf(e.Key) == step.Section).ToDictionary(e => e.Key, e => e.Value);
            if (mine.Count > 0)
            {
                await step.ShowErrorsAsync(mine);
            }
        }

        Snackbar.Add("Some values need fixing: the step titles in red show where.", Severity.Warning);
    }
}
