# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN docker run --rm `
    --privileged `
    example/tool:1 C:\tools\run.cmd
# A backslash does not continue a line under this escape character.
RUN docker run --rm \
    --privileged example/tool:1
