{{/*
Names, labels and the merged values of one service.
*/}}

{{- define "kravflyt.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kravflyt.fullname" -}}
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

{{- define "kravflyt.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The object name of one service's parts: <fullname>-<service>[-<suffix>]. */}}
{{- define "kravflyt.componentName" -}}
{{- $root := .root }}
{{- $parts := list (include "kravflyt.fullname" $root) .service }}
{{- if .suffix }}{{ $parts = append $parts .suffix }}{{ end }}
{{- join "-" $parts | trunc (int (default 63 .max)) | trimSuffix "-" }}
{{- end }}

{{/* The Deployment of one role: the role "all" carries no suffix. */}}
{{- define "kravflyt.workloadName" -}}
{{- include "kravflyt.componentName" (dict "root" .root "service" .service "suffix" (ternary "" .role (eq .role "all"))) }}
{{- end }}

{{- define "kravflyt.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kravflyt.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kravflyt.labels" -}}
helm.sh/chart: {{ include "kravflyt.chart" . }}
{{ include "kravflyt.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kravflyt
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of every pod and object of one service (NetworkPolicies select on these). */}}
{{- define "kravflyt.serviceSelectorLabels" -}}
{{ include "kravflyt.selectorLabels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{- define "kravflyt.serviceLabels" -}}
{{ include "kravflyt.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{/* Selector of one role's pods. */}}
{{- define "kravflyt.roleSelectorLabels" -}}
{{ include "kravflyt.serviceSelectorLabels" . }}
kravflyt.no/role: {{ .role }}
{{- end }}

{{/*
Deep merge: `over` wins key by key, maps merge recursively, lists and scalars replace.
Unlike sprig's mergeOverwrite it lets false, 0 and "" override (e.g. autoscaling.enabled: false).
Returns YAML; use with fromYaml.
*/}}
{{- define "kravflyt.deepMerge" -}}
{{- $merged := deepCopy (default (dict) .base) }}
{{- range $key, $value := (default (dict) .over) }}
{{- $current := get $merged $key }}
{{- if and (kindIs "map" $value) (kindIs "map" $current) }}
{{- $_ := set $merged $key (fromYaml (include "kravflyt.deepMerge" (dict "base" $current "over" $value))) }}
{{- else }}
{{- $_ := set $merged $key $value }}
{{- end }}
{{- end }}
{{- toYaml $merged }}
{{- end }}

{{/* One service's values: `defaults` under `services.<name>`. Returns YAML. */}}
{{- define "kravflyt.serviceValues" -}}
{{- $over := get .root.Values.services .service }}
{{- include "kravflyt.deepMerge" (dict "base" .root.Values.defaults "over" $over) }}
{{- end }}

{{/* One role's values: the service's values under `roleSettings.<role>`. Returns YAML. */}}
{{- define "kravflyt.roleValues" -}}
{{- $roleOver := get (default (dict) .svc.roleSettings) .role }}
{{- include "kravflyt.deepMerge" (dict "base" (omit .svc "roles" "roleSettings" "cronJobs") "over" $roleOver) }}
{{- end }}

{{- define "kravflyt.image" -}}
{{- $image := .Values.image }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{/* Whether pods of this service serve the API (api and all) as opposed to worker only. */}}
{{- define "kravflyt.servesHttp" -}}
{{- if has .role (list "all" "api") }}true{{ else }}false{{ end }}
{{- end }}

{{/* Port of /metrics: the HTTP port unless a separate metricsPort is set. */}}
{{- define "kravflyt.metricsPortName" -}}
{{- if .svc.metricsPort }}metrics{{ else }}http{{ end }}
{{- end }}

{{/*
The environment every container of a service gets (serve, migrate, cron jobs): shared and
per-service ConfigMaps, the database URL and the keys from existing Secrets, downward-API
resource attributes for OpenTelemetry. `hook: true` (migration Jobs run before the ConfigMaps
exist) gives only what migrations need, inline.
*/}}
{{- define "kravflyt.env" -}}
{{- $root := .root }}
{{- $svc := .svc }}
{{- $name := .service }}
{{- $prefix := printf "KRAVFLYT_%s_" (upper (replace "-" "_" $name)) -}}
- name: {{ $prefix }}DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $svc.database.existingSecret }}
      key: {{ default "url" $svc.database.key }}
{{- if .hook }}
- name: KRAVFLYT_LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
- name: OTEL_SDK_DISABLED
  value: "true"
{{- else }}
- name: K8S_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: K8S_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: OTEL_RESOURCE_ATTRIBUTES
  {{- $attrs := list "k8s.pod.name=$(K8S_POD_NAME)" "k8s.namespace.name=$(K8S_NAMESPACE)" (printf "service.version=%s" $root.Chart.AppVersion) }}
  {{- range $k, $v := $root.Values.telemetry.resourceAttributes }}
  {{- $attrs = append $attrs (printf "%s=%s" $k $v) }}
  {{- end }}
  value: {{ join "," $attrs | quote }}
{{- if $svc.personalData }}
{{- $pd := $root.Values.personalData }}
- name: KRAVFLYT_PSEUDONYM_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $pd.existingSecret }}
      key: {{ $pd.pseudonymKeyKey }}
- name: KRAVFLYT_SEALING_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $pd.existingSecret }}
      key: {{ $pd.sealingKeysKey }}
- name: KRAVFLYT_SEALING_ACTIVE_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $pd.existingSecret }}
      key: {{ $pd.activeKeyIdKey }}
{{- end }}
{{- with $root.Values.bus.kafka }}
{{- if .existingSecret }}
- name: KRAVFLYT_KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .usernameKey }}
- name: KRAVFLYT_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .passwordKey }}
{{- end }}
{{- end }}
{{- range $svc.secretEnv }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end }}
{{- range $svc.secretFiles }}
{{- if .env }}
- name: {{ .env }}
  value: {{ .path | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* envFrom of a service's long-running and cron containers. */}}
{{- define "kravflyt.envFrom" -}}
- configMapRef:
    name: {{ include "kravflyt.fullname" .root }}
- configMapRef:
    name: {{ include "kravflyt.componentName" (dict "root" .root "service" .service) }}
{{- end }}

{{/* Volumes: a writable /tmp, the secret files, the Kafka CA and the rates file. */}}
{{- define "kravflyt.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .svc.tmpSizeLimit | default "256Mi" }}
{{- if not .hook }}
{{- range $i, $file := .svc.secretFiles }}
- name: secret-file-{{ $i }}
  secret:
    secretName: {{ $file.secret }}
    defaultMode: 0440
    items:
      - key: {{ $file.key }}
        path: {{ base $file.path }}
{{- end }}
{{- if .root.Values.bus.kafka.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ .root.Values.bus.kafka.caSecret }}
    defaultMode: 0444
{{- end }}
{{- if .root.Values.rates.configMap }}
- name: rates
  configMap:
    name: {{ .root.Values.rates.configMap }}
    items:
      - key: {{ .root.Values.rates.key }}
        path: {{ .root.Values.rates.key }}
{{- end }}
{{- end }}
{{- end }}

{{- define "kravflyt.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if not .hook }}
{{- range $i, $file := .svc.secretFiles }}
- name: secret-file-{{ $i }}
  mountPath: {{ $file.path }}
  subPath: {{ base $file.path }}
  readOnly: true
{{- end }}
{{- if .root.Values.bus.kafka.caSecret }}
- name: kafka-ca
  mountPath: /var/run/secrets/kravflyt/kafka-ca
  readOnly: true
{{- end }}
{{- if .root.Values.rates.configMap }}
- name: rates
  mountPath: /etc/kravflyt/rates
  readOnly: true
{{- end }}
{{- end }}
{{- end }}

{{/* The pod-level settings shared by Deployments, Jobs and CronJobs. */}}
{{- define "kravflyt.podCommon" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .svc.podSecurityContext | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
