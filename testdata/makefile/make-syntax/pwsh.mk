# PowerShell recipes: the lines between <# and #> are a block comment,
# which a POSIX shell would run as a docker command.
SHELL := pwsh
.SHELLFLAGS := -NoProfile -Command
.ONESHELL:
debug:
	<#
	docker run --privileged example/app:1
	#>
	Write-Output done
