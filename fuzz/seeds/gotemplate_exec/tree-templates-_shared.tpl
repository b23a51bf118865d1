{{- define "shared.who" -}}parent-defined{{- end -}}
