{{- define "edge.block" -}}overridden-by-partial{{- end -}}
{{- define "edge.dollar" -}}
dot={{ .x }} dollar={{ $.x }}
{{- end -}}
{{- define "edge.ctx" -}}
{{ .item }} of {{ .root.Chart.Name }}
{{- end -}}
{{- define "edge.nodata" -}}[{{ . }}]{{- end -}}
