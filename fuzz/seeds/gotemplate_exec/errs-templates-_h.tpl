{{- define "errs.deep" -}}
{{ .Values.absent.field }}
{{- end -}}
{{- define "errs.loop" -}}
{{ include "errs.loop" . }}
{{- end -}}
{{- define "errs.req" -}}
{{ required "inner required" .Values.absent }}
{{- end -}}
