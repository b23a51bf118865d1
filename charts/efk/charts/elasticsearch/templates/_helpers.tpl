{{- define "elasticsearch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
RELEASE-elasticsearch (or RELEASE when it already contains the chart name);
Fluentd and Kibana derive the same name to find this Service.
*/}}
{{- define "elasticsearch.fullname" -}}
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

{{- define "elasticsearch.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "elasticsearch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: efk
{{- end }}

{{- define "elasticsearch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "elasticsearch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
cluster.initial_master_nodes: the pod names of the first bootstrap, NAME-0..NAME-(replicas-1).
*/}}
{{- define "elasticsearch.initialMasters" -}}
{{- $fullname := include "elasticsearch.fullname" . }}
{{- $nodes := list }}
{{- range $i := until (int .Values.replicas) }}
{{- $nodes = append $nodes (printf "%s-%d" $fullname $i) }}
{{- end }}
{{- join "," $nodes }}
{{- end }}
