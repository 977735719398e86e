{{/* Expand the name of the chart. */}}
{{- define "demo.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A debugging container that templates include.
*/}}
{{- define "demo.debugContainer" -}}
- name: nsenter
  image: alpine
  securityContext:
    privileged: true
{{- end }}

{{- define "demo.quietContainer" -}}
- name: quiet
  image: alpine
  securityContext:
    privileged: {{ .Values.quiet.privileged }}
{{- end }}
