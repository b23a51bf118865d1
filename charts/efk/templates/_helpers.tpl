{{/*
The name a subchart's objects get: RELEASE-CHART, or RELEASE when the release
name already contains CHART (the same rule as each subchart's fullname; an
override in the subchart's values wins).
Call with (dict "root" $ "chart" "kibana").
*/}}
{{- define "efk.partName" -}}
{{- $values := index .root.Values .chart | default dict }}
{{- if $values.fullnameOverride }}
{{- $values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .chart $values.nameOverride }}
{{- if contains $name .root.Release.Name }}
{{- .root.Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .root.Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}
