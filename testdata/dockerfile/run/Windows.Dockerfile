# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN --security=insecure `
    echo hi
