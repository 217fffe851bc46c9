{{/* The chart's name: nameOverride, else "isthmus". */}}
{{- define "isthmus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{/*
Prefix of every object's name: fullnameOverride; else the release name when it already contains the chart's name
(release "isthmus" gives "isthmus-operator", not "isthmus-isthmus-operator"); else "<release>-<name>". At most 50
characters, so that "<fullname>-webhook" and "<fullname>-metrics" stay valid Service names (63).
*/}}
{{- define "isthmus.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "isthmus.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "isthmus.labels" -}}
app.kubernetes.io/name: {{ include "isthmus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The operator pods' selector: the Deployment, its PodDisruptionBudget and its Services select with these. */}}
{{- define "isthmus.operatorSelectorLabels" -}}
app.kubernetes.io/name: {{ include "isthmus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "isthmus.image" -}}
{{- $root := index . 0 -}}{{- $image := index . 1 -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $image.repository (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* The webhook's Service, the Secret holding its certificate, and the directory cert-manager's pair is mounted at. */}}
{{- define "isthmus.webhookService" -}}
{{- include "isthmus.fullname" . }}-webhook
{{- end -}}

{{- define "isthmus.webhookCertSecret" -}}
{{- include "isthmus.fullname" . }}-webhook-tls
{{- end -}}

{{- define "isthmus.webhookCertDir" -}}
/var/run/isthmus/webhook-tls
{{- end -}}

{{/* True (non-empty) when the operator manages the webhook's CA and caBundle itself (webhook on, no cert-manager). */}}
{{- define "isthmus.webhookSelfManaged" -}}
{{- if and .Values.webhook.enabled (not .Values.webhook.certManager.enabled) -}}true{{- end -}}
{{- end -}}

{{/*
Checks across values that values.schema.json cannot express; each message names the values to change. The operator
refuses the same combinations at start, but here they stop `helm install` instead of a crash-looping pod.
*/}}
{{- define "isthmus.validate" -}}
{{- if and (gt (int .Values.operator.replicas) 1) (not .Values.operator.leaderElection.enabled) -}}
{{- fail "operator.replicas above 1 needs operator.leaderElection.enabled: without a Lease every replica would reconcile" -}}
{{- end -}}
{{- if eq (int .Values.operator.metrics.port) (int .Values.operator.health.port) -}}
{{- fail "operator.health.port must differ from operator.metrics.port" -}}
{{- end -}}
{{- if and .Values.webhook.enabled (has (int .Values.webhook.port) (list (int .Values.operator.metrics.port) (int .Values.operator.health.port))) -}}
{{- fail "webhook.port must differ from operator.metrics.port and operator.health.port" -}}
{{- end -}}
{{- end -}}
