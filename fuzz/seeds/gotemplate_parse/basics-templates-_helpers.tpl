{{/* A comment in a partial */}}
{{- define "basics.name" -}}
{{ .Chart.Name }}-{{ .Release.Name }}
{{- end }}

{{- define "basics.labels" -}}
app: {{ include "basics.name" . }}
chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "basics.echo" -}}
[{{ . }}]
{{- end -}}
