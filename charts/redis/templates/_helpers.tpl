{{/*
The chart name, overridable with nameOverride.
*/}}
{{- define "redis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The object name prefix: RELEASE-CHART, or RELEASE when the release name
already contains the chart name. Kept to 63 characters (DNS label).
*/}}
{{- define "redis.fullname" -}}
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

{{/*
CHART-VERSION for the helm.sh/chart label.
*/}}
{{- define "redis.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels every object carries.
*/}}
{{- define "redis.labels" -}}
helm.sh/chart: {{ include "redis.chart" . }}
{{ include "redis.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select this release's pods; never change them on upgrade
(selectors are immutable).
*/}}
{{- define "redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "redis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "redis.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "redis.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Secret holding the password: the user's existing one or the chart's.
*/}}
{{- define "redis.secretName" -}}
{{- default (include "redis.fullname" .) .Values.auth.existingSecret }}
{{- end }}

{{- define "redis.image" -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.repository .Values.image.tag }}
{{- end }}

{{- define "redis.metricsImage" -}}
{{- printf "%s/%s:%s" .Values.metrics.image.registry .Values.metrics.image.repository .Values.metrics.image.tag }}
{{- end }}

{{/*
The primary's stable DNS name through the headless Service; replicas follow it.
*/}}
{{- define "redis.primaryHost" -}}
{{- printf "%s-primary-0.%s-headless.%s.svc.cluster.local" (include "redis.fullname" .) (include "redis.fullname" .) .Release.Namespace }}
{{- end }}

{{/*
Fails early on values the schema cannot express.
*/}}
{{- define "redis.validate" -}}
{{- if and (eq .Values.architecture "replication") (lt (int .Values.replica.replicaCount) 1) }}
{{- fail "replica.replicaCount must be at least 1 with architecture: replication" }}
{{- end }}
{{- end }}

{{/*
One Redis pod spec for the primary or the replicas.
Call with (dict "root" $ "role" "primary"|"replica" "settings" .Values.primary|.Values.replica).
*/}}
{{- define "redis.podSpec" -}}
{{- $root := .root }}
{{- $settings := .settings -}}
serviceAccountName: {{ include "redis.serviceAccountName" $root }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
automountServiceAccountToken: {{ $root.Values.serviceAccount.automountServiceAccountToken }}
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: 30
containers:
  - name: redis
    image: {{ include "redis.image" $root }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    securityContext:
      {{- toYaml $root.Values.containerSecurityContext | nindent 6 }}
    command:
      - /bin/sh
      - -c
    args:
      - |
        set -e
        ARGS="/etc/redis/redis.conf --port {{ $root.Values.service.port }} --dir /data"
        {{- if $root.Values.auth.enabled }}
        ARGS="$ARGS --requirepass $REDIS_PASSWORD"
        {{- end }}
        {{- if eq .role "replica" }}
        ARGS="$ARGS --replicaof {{ include "redis.primaryHost" $root }} {{ $root.Values.service.port }}"
        {{- if $root.Values.auth.enabled }}
        ARGS="$ARGS --masterauth $REDIS_PASSWORD"
        {{- end }}
        {{- end }}
        {{- range $settings.extraArgs }}
        ARGS="$ARGS {{ . }}"
        {{- end }}
        exec redis-server $ARGS
    env:
      - name: REDIS_ROLE
        value: {{ .role }}
      {{- if $root.Values.auth.enabled }}
      - name: REDIS_PASSWORD
        valueFrom:
          secretKeyRef:
            name: {{ include "redis.secretName" $root }}
            key: {{ $root.Values.auth.existingSecretPasswordKey }}
      # redis-cli reads the password from here, so probes do not put it on
      # the command line.
      - name: REDISCLI_AUTH
        valueFrom:
          secretKeyRef:
            name: {{ include "redis.secretName" $root }}
            key: {{ $root.Values.auth.existingSecretPasswordKey }}
      {{- end }}
    ports:
      - name: redis
        containerPort: {{ $root.Values.service.port }}
        protocol: TCP
    livenessProbe:
      exec:
        command:
          - sh
          - -c
          - redis-cli -h 127.0.0.1 -p {{ $root.Values.service.port }} ping | grep -q PONG
      initialDelaySeconds: 20
      periodSeconds: 10
      timeoutSeconds: 5
      failureThreshold: 5
    readinessProbe:
      exec:
        command:
          - sh
          - -c
          - redis-cli -h 127.0.0.1 -p {{ $root.Values.service.port }} ping | grep -q PONG
      initialDelaySeconds: 5
      periodSeconds: 5
      timeoutSeconds: 2
      failureThreshold: 3
    resources:
      {{- toYaml $settings.resources | nindent 6 }}
    volumeMounts:
      - name: data
        mountPath: /data
      - name: config
        mountPath: /etc/redis
      - name: tmp
        mountPath: /tmp
  {{- if $root.Values.metrics.enabled }}
  - name: metrics
    image: {{ include "redis.metricsImage" $root }}
    imagePullPolicy: {{ $root.Values.metrics.image.pullPolicy }}
    securityContext:
      {{- toYaml $root.Values.containerSecurityContext | nindent 6 }}
    env:
      - name: REDIS_ADDR
        value: redis://127.0.0.1:{{ $root.Values.service.port }}
      - name: REDIS_EXPORTER_WEB_LISTEN_ADDRESS
        value: ":{{ $root.Values.metrics.port }}"
      {{- if $root.Values.auth.enabled }}
      - name: REDIS_PASSWORD
        valueFrom:
          secretKeyRef:
            name: {{ include "redis.secretName" $root }}
            key: {{ $root.Values.auth.existingSecretPasswordKey }}
      {{- end }}
    ports:
      - name: metrics
        containerPort: {{ $root.Values.metrics.port }}
        protocol: TCP
    livenessProbe:
      httpGet:
        path: /health
        port: metrics
      initialDelaySeconds: 10
      periodSeconds: 10
    readinessProbe:
      httpGet:
        path: /health
        port: metrics
      periodSeconds: 10
    resources:
      {{- toYaml $root.Values.metrics.resources | nindent 6 }}
  {{- end }}
{{- with $settings.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $settings.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $settings.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: config
    configMap:
      name: {{ include "redis.fullname" $root }}
  - name: tmp
    emptyDir: {}
  {{- if not $settings.persistence.enabled }}
  - name: data
    emptyDir: {}
  {{- end }}
{{- end }}

{{/*
The volumeClaimTemplates of a StatefulSet, when persistence is on.
*/}}
{{- define "redis.claimTemplates" -}}
{{- $root := .root }}
{{- with .settings.persistence }}
{{- if .enabled -}}
volumeClaimTemplates:
  - apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: data
      labels:
        {{- include "redis.selectorLabels" $root | nindent 8 }}
    spec:
      accessModes:
        {{- toYaml .accessModes | nindent 8 }}
      {{- if .storageClass }}
      storageClassName: {{ .storageClass | quote }}
      {{- end }}
      resources:
        requests:
          storage: {{ .size | quote }}
{{- end }}
{{- end }}
{{- end }}
