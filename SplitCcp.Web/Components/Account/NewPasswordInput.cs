using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Web.Components.Account;

/// <summary>A new password typed twice. Identity's own rules are checked when it is set; these catch the common slips first.</summary>
public class NewPasswordInput
{
    [Required(ErrorMessage = "Choose a password.")]
    [MinLength(12, ErrorMessage = "Use at least 12 characters.")]
    public string NewPassword { get; set; } = "";

    [Compare(nameof(NewPassword), ErrorMessage = "The two passwords differ.")]
    public string ConfirmPassword { get; set; } = "";
}
