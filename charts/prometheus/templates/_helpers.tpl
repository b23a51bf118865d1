{{/*
The chart name, overridable with nameOverride.
*/}}
{{- define "prometheus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The object name prefix: RELEASE-CHART, or RELEASE when the release name
already contains the chart name. Component names append a suffix, so the
prefix is kept shorter than 63 characters.
*/}}
{{- define "prometheus.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 42 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 42 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 42 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
CHART-VERSION for the helm.sh/chart label.
*/}}
{{- define "prometheus.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of one component's objects. Call with (dict "root" $ "component" "server").
*/}}
{{- define "prometheus.componentName" -}}
{{- printf "%s-%s" (include "prometheus.fullname" .root) .component }}
{{- end }}

{{/*
Labels every object of a component carries.
Call with (dict "root" $ "component" "server").
*/}}
{{- define "prometheus.labels" -}}
helm.sh/chart: {{ include "prometheus.chart" .root }}
{{ include "prometheus.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "prometheus.name" .root }}
{{- end }}

{{/*
Labels selecting one component's pods; immutable once installed.
*/}}
{{- define "prometheus.selectorLabels" -}}
app.kubernetes.io/name: {{ include "prometheus.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
The ServiceAccount a component runs as.
*/}}
{{- define "prometheus.serviceAccountName" -}}
{{- if .root.Values.serviceAccounts.create }}
{{- include "prometheus.componentName" . }}
{{- else }}
{{- print "default" }}
{{- end }}
{{- end }}

{{/*
imagePullSecrets of every pod, as a pod spec fragment (empty when none).
*/}}
{{- define "prometheus.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Scheduling settings of one component (nodeSelector, affinity, tolerations).
*/}}
{{- define "prometheus.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
prometheus.yml: the configured one, plus the alerting section when the
chart's Alertmanager runs, plus extraScrapeConfigs.
*/}}
{{- define "prometheus.config" -}}
{{- $config := deepCopy .Values.server.config }}
{{- if .Values.server.extraScrapeConfigs }}
{{- $_ := set $config "scrape_configs" (concat (default (list) $config.scrape_configs) .Values.server.extraScrapeConfigs) }}
{{- end }}
{{- if .Values.alertmanager.enabled }}
{{- $target := printf "%s:%d" (include "prometheus.componentName" (dict "root" . "component" "alertmanager")) (int .Values.alertmanager.service.port) }}
{{- $_ := set $config "alerting" (dict "alertmanagers" (list (dict "static_configs" (list (dict "targets" (list $target)))))) }}
{{- end }}
{{- toYaml $config }}
{{- end }}
