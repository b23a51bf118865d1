{{- define "kibana.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kibana.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "kibana.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kibana.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: efk
{{- end }}

{{- define "kibana.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kibana.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The Elasticsearch URL: configured, or the sibling elasticsearch subchart's
Service (named by the same rule as its fullname).
*/}}
{{- define "kibana.elasticsearchHosts" -}}
{{- if .Values.elasticsearch.hosts }}
{{- .Values.elasticsearch.hosts }}
{{- else if contains "elasticsearch" .Release.Name }}
{{- printf "http://%s:9200" (.Release.Name | trunc 63 | trimSuffix "-") }}
{{- else }}
{{- printf "http://%s:9200" (printf "%s-elasticsearch" .Release.Name | trunc 63 | trimSuffix "-") }}
{{- end }}
{{- end }}
