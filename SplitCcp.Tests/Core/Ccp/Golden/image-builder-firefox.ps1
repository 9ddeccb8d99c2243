#Requires -RunAsAdministrator
# Split CCP: browser policies and the Amazon Connect application for the AppStream image builder.
# Run it in an elevated Windows PowerShell on the image builder. Running it again is safe: it replaces
# what an earlier run wrote.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# This tenant's values, as literals: the code below passes them around as data and never runs them.
$inSessionUrl = 'https://d111111abcdef8.cloudfront.net/InSession.html'
$launchParameters = '"\"https://d111111abcdef8.cloudfront.net/InSession.html\""'
$createImageCommand = 'image-assistant.exe create-image --name splitccp-acme-ccp --display-name "Amazon Connect split CCP" --description "Amazon Connect in-session CCP (call control) with its browser policies"'
$firefoxPolicies = '{"policies":{"DontCheckDefaultBrowser":true,"PopupBlocking":{"Allow":["https://d111111abcdef8.cloudfront.net"]},"Cookies":{"Allow":["https://d111111abcdef8.cloudfront.net","https://acme-ccp.my.connect.aws"]},"Permissions":{"Notifications":{"Allow":["https://d111111abcdef8.cloudfront.net"]}}}}'

$imageAssistant = 'C:\Program Files\Amazon\Photon\ConsoleImageBuilder\image-assistant.exe'
# Checked before anything is written, so the script changes nothing on a machine that is not an image builder.
if (-not [System.IO.File]::Exists($imageAssistant)) {
    throw ('Image Assistant is not at ' + $imageAssistant + '. Run this script on an AppStream image builder.')
}

# The browser under either Program Files folder (Firefox is in the x86 one on some base images).
function Find-Browser([string] $Folder, [string] $Executable) {
    foreach ($root in @($env:ProgramFiles, ${env:ProgramFiles(x86)})) {
        if ($root) {
            $candidate = [System.IO.Path]::Combine($root, $Folder, $Executable)
            if ([System.IO.File]::Exists($candidate)) {
                return $candidate
            }
        }
    }

    throw ('Cannot find ' + $Executable + ' under Program Files or Program Files (x86). Install the browser, then run this script again.')
}

# Runs Image Assistant with its command line passed as is, and checks its exit code and its JSON reply
# ({"status": 0, "message": "Success"} when it worked).
function Invoke-ImageAssistant {
    param([Parameter(Mandatory = $true)] [string] $Arguments, [switch] $AllowFailure)

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($imageAssistant, $Arguments)
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    # Read stderr alongside stdout: a full stderr pipe would otherwise stall the process while we wait on stdout.
    $stderr = $process.StandardError.ReadToEndAsync()
    $stdout = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()

    $status = $null
    $message = ($stdout + ' ' + $stderr.Result).Trim()
    try {
        $reply = $stdout | ConvertFrom-Json
    }
    catch {
        $reply = $null
    }

    if ($null -ne $reply -and $null -ne $reply.PSObject.Properties['status']) {
        $status = $reply.status
        if ($null -ne $reply.PSObject.Properties['message']) {
            $message = [string] $reply.message
        }
    }

    $succeeded = $process.ExitCode -eq 0 -and $status -eq 0
    if (-not $succeeded -and -not $AllowFailure) {
        throw ('image-assistant.exe ' + $Arguments + ' failed (exit code ' + $process.ExitCode + '): ' + $message)
    }

    return $succeeded
}

$browserPath = Find-Browser 'Mozilla Firefox' 'firefox.exe'

# Firefox reads policies.json from a folder named distribution beside firefox.exe.
$distribution = [System.IO.Path]::Combine([System.IO.Path]::GetDirectoryName($browserPath), 'distribution')
$null = [System.IO.Directory]::CreateDirectory($distribution)
$policiesPath = [System.IO.Path]::Combine($distribution, 'policies.json')
if ([System.IO.File]::Exists($policiesPath)) {
    $backupPath = $policiesPath + '.before-splitccp'
    # Keep the file found on the first run; a later run finds this script's own file and just replaces it.
    if ([System.IO.File]::ReadAllText($policiesPath) -cne $firefoxPolicies -and -not [System.IO.File]::Exists($backupPath)) {
        [System.IO.File]::Copy($policiesPath, $backupPath)
        Write-Warning ('Replacing ' + $policiesPath + '; the previous file is saved as ' + $backupPath + '.')
    }
}

# UTF-8 without a byte-order mark: what WriteAllText writes by default on every .NET.
[System.IO.File]::WriteAllText($policiesPath, $firefoxPolicies)
Write-Host ('Firefox policies written to ' + $policiesPath + '.')

# Image Assistant keeps --launch-parameters as the tail of the browser's command line, so the URL is quoted twice:
# once for the browser ("URL") and once for Image Assistant ("\"URL\""), as in AWS's example. Windows PowerShell 5.1
# passes quotes inside a native command's arguments unescaped, so Image Assistant would strip them, and
# PowerShell 7.3+ escapes them: Invoke-ImageAssistant sidesteps both and hands over the command line as written. A Windows path cannot contain a
# double quote, so quoting $browserPath needs nothing more.
# Removing the application first makes a re-run replace it; on a first run there is nothing to remove.
$null = Invoke-ImageAssistant -Arguments 'remove-application --name AmazonConnect' -AllowFailure
$null = Invoke-ImageAssistant -Arguments ('add-application --name AmazonConnect --absolute-app-path "' + $browserPath + '" --display-name "Amazon Connect" --launch-parameters ' + $launchParameters)
Write-Host ('Image Assistant: Amazon Connect opens ' + $inSessionUrl + ' with ' + $browserPath + '.')

Write-Host ''
Write-Host 'When the image builder is ready, capture the image with the command below. It stops the image builder.'
Write-Host ('    ' + $createImageCommand)
